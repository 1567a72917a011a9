# coda_module(NAME <m> DEPS <modules...> [LIBS <external targets...>])
# One library target `coda_<m>` per folder src/coda/<m>, built from every .cpp in it. DEPS lists the
# modules DESIGN.md's "may use" column allows; tools/check_deps.py checks #includes against them.
function(coda_module)
  cmake_parse_arguments(M "" "NAME" "DEPS;LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT srcs)  # a module whose sources have not landed yet still links
    set(srcs ${CMAKE_CURRENT_BINARY_DIR}/empty.cpp)
    file(WRITE ${srcs} "")
  endif()
  add_library(coda_${M_NAME} STATIC ${srcs})
  target_include_directories(coda_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(deps)
  foreach(d ${M_DEPS})
    list(APPEND deps coda_${d})
  endforeach()
  target_link_libraries(coda_${M_NAME} PUBLIC ${deps} ${M_LIBS})
  set_property(GLOBAL APPEND PROPERTY CODA_MODULE_DEPS "${M_NAME}:${M_DEPS}")
endfunction()

# coda_test(<module> [LIBS ...]): one gtest binary per module from tests/<module>/*_test.cpp.
function(coda_test MOD)
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${MOD}/*_test.cpp)
  if(NOT srcs)
    return()
  endif()
  add_executable(${MOD}_test ${srcs})
  target_link_libraries(${MOD}_test PRIVATE coda_${MOD} ${T_LIBS} GTest::gtest_main)
  target_compile_definitions(${MOD}_test PRIVATE CODA_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                             CODA_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${MOD}_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${MOD})
endfunction()
