# smartq_configure_units(OUTPUT_DIR BINDIR RESULT_VAR) writes every unit into
# OUTPUT_DIR with ExecStart= pointing into BINDIR and the shared hardening
# pasted in; RESULT_VAR receives the paths. Used for the installed units and
# for the copies that systemd-analyze verifies.
set(SMARTQ_SYSTEMD_UNITS
  smartq-backup.service
  smartq-backup@.service
  smartq-backup-sync@.service
  smartq-backup-sync@.timer)

function(smartq_configure_units output_dir bindir result_var)
  file(READ ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/hardening.conf SMARTQ_UNIT_HARDENING)
  string(STRIP "${SMARTQ_UNIT_HARDENING}" SMARTQ_UNIT_HARDENING)
  set(CMAKE_INSTALL_FULL_BINDIR ${bindir})
  set(units)
  foreach(unit IN LISTS SMARTQ_SYSTEMD_UNITS)
    configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${unit}.in ${output_dir}/${unit} @ONLY)
    list(APPEND units ${output_dir}/${unit})
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/hardening.conf)
  set(${result_var} ${units} PARENT_SCOPE)
endfunction()
