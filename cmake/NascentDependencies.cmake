# Finds nascent's dependencies (all Debian packages) and defines nascent::openblas.
# Used by the build tree and, installed, by nascentConfig.cmake.
include(CMakeFindDependencyMacro)
find_dependency(xtensor)
find_dependency(xtensor-blas)
find_dependency(Boost 1.74)
find_dependency(ZLIB)
find_dependency(OpenBLAS)

# OpenBLAS ships a config file with variables only; wrap them in a target.
# Convolutions call its cblas_?gemm directly, and openblas_set_num_threads pins the thread count.
if(NOT TARGET nascent::openblas)
  add_library(nascent::openblas INTERFACE IMPORTED)
  set_target_properties(nascent::openblas PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${OpenBLAS_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${OpenBLAS_LIBRARIES}")
endif()
