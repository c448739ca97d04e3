// Named CZlibShim, not CZlib: ZIPFoundation already defines a module called CZlib.
#include <zlib.h>
