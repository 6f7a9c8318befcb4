#!/usr/bin/env bash
# The bash completion offers every subcommand and every option the program's
# own --help-all lists, and account names from the configuration.
#   completion_test.sh PROGRAM COMPLETION_SCRIPT
set -euo pipefail
program=$1
source "$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "completion: $*" >&2; exit 1; }

# complete WORD...: the candidates for the last word.
complete_words() {
    COMP_WORDS=(smartq-backup "$@")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMPREPLY=()
    _smartq_backup
    echo " ${COMPREPLY[*]} "
}

help=$("$program" --help-all)
commands=$("$program" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF {print $1}')
[ -n "$commands" ] || fail "no subcommands in --help"
for command in $commands; do
    [[ $(complete_words "") == *" $command "* ]] || fail "subcommand $command is not offered"
    # The options of this subcommand: its section of --help-all, up to a blank line.
    options=$(awk -v c="$command" '$0 == c {on = 1; next} on && /^$/ {on = 0} on' <<<"$help" |
              grep -E '^    -' | awk '{print $1}' | tr ',' '\n')
    [ -n "$options" ] || fail "no options for $command in --help-all"
    for option in $options; do
        [[ $(complete_words "$command" "") == *" $option "* ]] ||
            fail "$command: option $option is not offered"
    done
done
[[ $(complete_words sta) == " status " ]] || fail "sta does not complete to status"
[[ $(complete_words status --ch) == " --check " ]] || fail "status --ch: $(complete_words status --ch)"
printf '[accounts.acme]\nurl = "x"\n[accounts.beta-2]\n' > "$work/config.toml"
got=$(complete_words --config "$work/config.toml" sync --account "")
[ "$got" = " acme beta-2 " ] || fail "accounts: '$got'"
[[ $(complete_words query --format "") == " table csv json " ]] || fail "query --format"
got=$(complete_words --config "$work/config.toml" restore --to "")
[ "$got" = " acme beta-2 " ] || fail "restore --to: '$got'"
mkdir "$work/site"
got=$(cd "$work" && complete_words export --to si)
[ "$got" = " site " ] || fail "export --to: '$got'"
