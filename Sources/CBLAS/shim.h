// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h, which also declares
// openblas_set_num_threads, on clang's default include path).
#include <cblas.h>
