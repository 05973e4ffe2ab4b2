# sipfleet_library(NAME name SRCS ... DEPS ...): one library per common/ folder.
function(sipfleet_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${ARG_NAME} STATIC ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

# sipfleet_test(NAME name SRCS ... DEPS ... [LABEL unit]): a GoogleTest binary
# registered with ctest, one ctest entry per TEST().
function(sipfleet_test)
  cmake_parse_arguments(ARG "" "NAME;LABEL" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  # GTEST_SKIP() (with its reason) counts as skipped in ctest's summary.
  gtest_discover_tests(${ARG_NAME} PROPERTIES LABELS ${ARG_LABEL}
                       SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]" DISCOVERY_TIMEOUT 30)
endfunction()
