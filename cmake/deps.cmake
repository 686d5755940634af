# Dependencies as imported targets.  INTERIM: system shared libraries only;
# the static build from fetched sources replaces this (tools/deps.sh).
#   dxfq::civetweb dxfq::hpdf dxfq::cjson dxfq::sqlite3 dxfq::lua
#   dxfq::png dxfq::zlib dxfq::stb
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
function(dxfq_sys_lib name lib)
  find_library(_p_${name} ${lib} REQUIRED)
  add_library(dxfq::${name} UNKNOWN IMPORTED GLOBAL)
  set_target_properties(dxfq::${name} PROPERTIES IMPORTED_LOCATION ${_p_${name}})
endfunction()
dxfq_sys_lib(civetweb civetweb)
dxfq_sys_lib(hpdf hpdf)
dxfq_sys_lib(cjson cjson)
target_include_directories(dxfq::cjson INTERFACE /usr/include/cjson)
dxfq_sys_lib(sqlite3 sqlite3)
dxfq_sys_lib(lua lua5.4)
target_include_directories(dxfq::lua INTERFACE /usr/include/lua5.4)
dxfq_sys_lib(png png16)
dxfq_sys_lib(zlib z)
add_library(dxfq::stb INTERFACE IMPORTED GLOBAL)
target_include_directories(dxfq::stb INTERFACE /usr/include/stb)
target_link_libraries(dxfq::civetweb INTERFACE Threads::Threads)
