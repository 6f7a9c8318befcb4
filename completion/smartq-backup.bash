# bash completion for smartq-backup. Self-contained: works with or without the
# bash-completion package. Installed into bash-completion's completions
# directory; load by hand with `source completion/smartq-backup.bash`.

_smartq_backup() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="sync daemon restore status runs diff query verify forget prune search export serve"
    local global="--config --data-dir --log-level -v --verbose -q --quiet --help --help-all --version"
    local command="" word
    for word in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case " $commands " in *" $word "*) command=$word; break ;; esac
    done

    case $prev in
        --config|--user-password-file|--passwords-out)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --data-dir)
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --log-level)
            COMPREPLY=($(compgen -W "trace debug info warn error critical off" -- "$cur")); return ;;
        --format)
            COMPREPLY=($(compgen -W "table csv json" -- "$cur")); return ;;
        --to)
            # export writes into a directory; restore's --to is an account
            if [ "$command" = export ]; then
                COMPREPLY=($(compgen -d -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(_smartq_backup_accounts)" -- "$cur"))
            fi
            return ;;
        --account|--from)
            COMPREPLY=($(compgen -W "$(_smartq_backup_accounts)" -- "$cur")); return ;;
        --listen)
            return ;;
        --max-age|--limit|--project|--ticket|--at|--keep-last|--keep-within|--keep-daily|--keep-weekly|--keep-monthly)
            return ;;
    esac

    local options
    case $command in
        "") COMPREPLY=($(compgen -W "$commands $global" -- "$cur")); return ;;
        sync) options="--account --deep --no-files --confirm-deletions --json" ;;
        daemon) options="--account" ;;
        restore) options="--from --to --project --ticket --at -n --dry-run --into-source
                          --annotate-authors --user-password-file --passwords-out --json" ;;
        status) options="--account --json --check --max-age" ;;
        runs) options="--account --limit --json" ;;
        diff) options="--account --json" ;;
        query) options="--account --format --at" ;;
        verify) options="--account --drill --json" ;;
        forget) options="--account --keep-last --keep-within --keep-daily --keep-weekly
                         --keep-monthly -n --dry-run --json" ;;
        prune) options="--account -n --dry-run --json" ;;
        search) options="--account --project --at --format --limit" ;;
        export) options="--account --project --at --to" ;;
        serve) options="--account --listen" ;;
    esac
    COMPREPLY=($(compgen -W "$options $global" -- "$cur"))
}

# The [accounts.NAME] tables of the configuration the command line names.
_smartq_backup_accounts() {
    local config=${SMARTQ_BACKUP_CONFIG:-/etc/smartq-backup/config.toml} i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        [ "${COMP_WORDS[i]}" = --config ] && config=${COMP_WORDS[i+1]}
    done
    [ -r "$config" ] && sed -n 's/^[[:space:]]*\[accounts\.\([A-Za-z0-9_.-]*\)\][[:space:]]*$/\1/p' "$config"
}

complete -F _smartq_backup smartq-backup
