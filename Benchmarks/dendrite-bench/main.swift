import DendriteCore
print("dendrite-bench: no workloads yet")
