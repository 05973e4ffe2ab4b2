# Sourced by pair_test.sh: each client sent every CSV line's own credentials,
# and no keyword text.
for side in ref_uac uac; do
  for user in joe john betty; do
    check_grep "Authorization: Digest username=\"$user\"" "$(ls $side/*_messages.log)" \
      "$side credentials of $user"
  done
  if grep -q '\[authentication' $side/*_messages.log; then
    PROBLEMS+=("$side sent the [authentication] keyword as text")
  fi
done
