# Sourced by pair_test.sh: the reference logged what the scenarios extract.
check_grep 'user=alice cuser=uas v=a"b&c' "$(ls ref_uac/*_logs.log)" "reference client log"
check_grep 'got=alice-uas-a"b&c-1.5' "$(ls ref_uas/*_logs.log)" "reference server log"
