# cmake -DUNIT=path -P unit_settings.cmake
#
# What operators rely on in the installed units, beyond what systemd-analyze
# verify checks: exits that must not restart a service, a stopped oneshot sync
# that is not a failure, its low priority, and a fallback for every
# credential so that accounts with secrets in the environment still start.
file(READ ${UNIT} text)
get_filename_component(name ${UNIT} NAME)
set(required)
if(name MATCHES "^smartq-backup@?\\.service$")
  list(APPEND required "RestartPreventExitStatus=64 77 78\n")
endif()
if(name STREQUAL "smartq-backup-sync@.service")
  list(APPEND required "SuccessExitStatus=143\n" "Nice=10\n" "IOSchedulingClass=idle\n")
endif()
foreach(line IN LISTS required)
  string(FIND "${text}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${name} lacks ${line}")
  endif()
endforeach()
string(REGEX MATCHALL "\nLoadCredential=[^:\n]+" loaded "${text}")
foreach(entry IN LISTS loaded)
  string(REPLACE "\nLoadCredential=" "" id "${entry}")
  string(FIND "${text}" "\nSetCredential=${id}:" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${name}: credential ${id} has no SetCredential= fallback")
  endif()
endforeach()
