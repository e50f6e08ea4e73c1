# HSB_MPI: `mpirun -n R hsbench load ...` spreads one load over R ranks and
# merges it into one result (bench/net/mpi/, bench/cmd/mpi/). On by default
# when find_package(MPI) finds Open MPI (Debian: libopenmpi-dev, openmpi-bin);
# off, nothing of it is compiled and the hsbench binary is as without MPI.
find_package(MPI COMPONENTS C QUIET)
set(HSB_HAVE_OPEN_MPI OFF)
if(MPI_C_FOUND)
  include(CheckSymbolExists)
  set(CMAKE_REQUIRED_INCLUDES ${MPI_C_INCLUDE_DIRS})
  set(CMAKE_REQUIRED_LIBRARIES MPI::MPI_C)
  check_symbol_exists(OPEN_MPI mpi.h HSB_MPI_IS_OPEN_MPI)
  unset(CMAKE_REQUIRED_INCLUDES)
  unset(CMAKE_REQUIRED_LIBRARIES)
  if(HSB_MPI_IS_OPEN_MPI)
    set(HSB_HAVE_OPEN_MPI ON)
  endif()
endif()
option(HSB_MPI "Build the load generator's MPI ranks (Open MPI)" ${HSB_HAVE_OPEN_MPI})
if(HSB_MPI AND NOT MPI_C_FOUND)
  message(FATAL_ERROR "HSB_MPI=ON, but no MPI C library was found (libopenmpi-dev)")
endif()
# mpirun for the tests: the one that belongs to the library found.
find_program(HSB_MPIEXEC NAMES ${MPIEXEC_EXECUTABLE} mpirun mpiexec)
message(STATUS "HSB_MPI: ${HSB_MPI} (Open MPI found: ${HSB_HAVE_OPEN_MPI})")
