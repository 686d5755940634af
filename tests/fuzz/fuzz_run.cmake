# Runs one libFuzzer target for SECONDS, seeded with the existing folders of
# SEEDS ("|"-separated; ../shared/corpus is skipped when absent).  New
# inputs go to WORK/corpus; a crash, leak, timeout or sanitizer report
# leaves its input in WORK/ and fails the test: copy it into
# tests/fuzz/regress/ once fixed.
#   cmake -DFUZZER=... -DSECONDS=60 -DWORK=... -DSEEDS="a|b" -P fuzz_run.cmake
string(REPLACE "|" ";" seeds "${SEEDS}")
set(dirs "")
foreach(d ${seeds})
  if(IS_DIRECTORY "${d}")
    list(APPEND dirs "${d}")
  else()
    message(STATUS "seed folder ${d} absent: skipped")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK}/corpus")
# max_len: the targets accept 1 MB, but mutating big inputs is slow, so
# seeds over 256 KiB are cut there (most of the corpus is far smaller).
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -timeout=25 -rss_limit_mb=2048
          -max_len=262144 -print_final_stats=1 -artifact_prefix=${WORK}/
          "${WORK}/corpus" ${dirs}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} found a problem (exit ${rc}); the input is in ${WORK}/")
endif()
