# cmake -DMAN=man -DPAGE=smartq-backup.1 -P man_page_test.cmake
#
# Renders the page as a reader would and looks for what each source gives it:
# the subcommands' options from --help-all, the exit codes from the .h2m file.
execute_process(COMMAND ${CMAKE_COMMAND} -E env MANWIDTH=200 ${MAN} -l -P cat ${PAGE}
  RESULT_VARIABLE status OUTPUT_VARIABLE text ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man -l ${PAGE} failed (${status}): ${errors}")
endif()
# man marks bold and underline with backspaces when writing to a pipe.
string(ASCII 8 backspace)
string(REGEX REPLACE ".${backspace}" "" text "${text}")
foreach(expected "NAME" "smartq-backup - offline sync and backup of smartQ accounts" "SYNOPSIS"
        "--max-age" "--check" "-n,--dry-run" "EXIT STATUS" "130, 143" "ENVIRONMENT"
        "SMARTQ_BACKUP_CONFIG" "SEE ALSO" "--keep-within" "prune then removes")
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the man page lacks '${expected}':\n${text}")
  endif()
endforeach()
