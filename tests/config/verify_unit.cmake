# cmake -DANALYZE=systemd-analyze -DUNIT=path -P verify_unit.cmake
#
# Fails on any warning of `verify` (systemd ignores what it does not
# understand, so a typo is only a warning), and for a service whose exposure
# score rises above 1.5, so a lost sandboxing line does not go unnoticed.
execute_process(COMMAND ${ANALYZE} verify ${UNIT}
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT status EQUAL 0 OR NOT output STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify ${UNIT} (exit ${status}):\n${output}")
endif()
if(UNIT MATCHES "\\.service$")
  execute_process(COMMAND ${ANALYZE} security --offline=yes --threshold=15 ${UNIT}
    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "systemd-analyze security ${UNIT}: exposure above 1.5:\n${output}")
  endif()
endif()
