# The load generator: its latency histogram, and loopback runs of
# `hsbench load` / `hsbench tcp` against the servers (label net).
add_executable(test_lat_hist ${CMAKE_CURRENT_SOURCE_DIR}/test_lat_hist.c)
target_link_libraries(test_lat_hist PRIVATE hsb_test hsb_net)
add_test(NAME net_lat_hist COMMAND test_lat_hist)
set_tests_properties(net_lat_hist PROPERTIES TIMEOUT 60 LABELS net)
