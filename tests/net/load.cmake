# The load generator: its latency histogram, and loopback runs of
# `hsbench load` / `hsbench tcp` against the servers (label net).
add_executable(test_lat_hist ${CMAKE_CURRENT_SOURCE_DIR}/test_lat_hist.c)
target_link_libraries(test_lat_hist PRIVATE hsb_test hsb_net)
add_test(NAME net_lat_hist COMMAND test_lat_hist)
set_tests_properties(net_lat_hist PROPERTIES TIMEOUT 60 LABELS net)

# Loopback runs against real servers: bounded (a few hundred connections, or
# 2,000 in flight once), skipped (77) while `hsbench server` lacks --impl.
# Not under the sanitizers: 2,000 connections and RSA take minutes there.
set(_load_check ${CMAKE_CURRENT_SOURCE_DIR}/load_check.py)
foreach(what servers many open-loop tcp)
  add_test(NAME net_load_${what}
           COMMAND /usr/bin/python3 ${_load_check} ${what}
                   --hsbench $<TARGET_FILE:hsbench> --certtool $<TARGET_FILE:tls_certgen_tool>
                   --work ${CMAKE_CURRENT_BINARY_DIR}/load-${what}
                   --nginx-target ${PROJECT_SOURCE_DIR}/scripts/nginx-target)
  set_tests_properties(net_load_${what} PROPERTIES TIMEOUT 400 SKIP_RETURN_CODE 77
                       LABELS "net;no-sanitize" RUN_SERIAL TRUE)
endforeach()
