# Third-party code as imported targets that module CMakeLists link by name:
#   dxfq::civetweb dxfq::hpdf dxfq::cjson dxfq::sqlite3 dxfq::lua
#   dxfq::png dxfq::zlib dxfq::stb dxfq::crypt
#
# Default (static): CivetWeb, libharu and cJSON are built here as static
# libraries from the Debian sources tools/deps.sh fetched into .cache/deps
# (Debian's patches applied); SQLite, Lua 5.4, libpng, zlib, libxcrypt (the
# yescrypt password hashes) and OpenSSL come
# from the static archives of their -dev packages; stb is headers.  The
# binary then needs nothing but glibc at run time.
#
# DXFQ_SYSTEM_LIBS=ON links Debian's shared libraries instead (libcivetweb-dev,
# libhpdf-dev, libcjson-dev ...), which builds faster during development.
#
# Third-party code is built with its warnings silenced (-w) and without our
# warning flags, but with the same hardening as ours: it faces the network.
find_package(Threads REQUIRED)

set(DXFQ_DEPS_DIR "${CMAKE_SOURCE_DIR}/.cache/deps" CACHE PATH
    "Sources fetched by tools/deps.sh")

# ---------------------------------------------------------------- helpers

# dxfq_dep_static(NAME ARCHIVE [LIBS...]): dxfq::NAME from a Debian static
# archive (lib<ARCHIVE>.a), with the libraries it needs after it.
function(dxfq_dep_static name archive)
  find_library(DXFQ_LIB_${name} NAMES lib${archive}.a)
  if(NOT DXFQ_LIB_${name})
    message(FATAL_ERROR "lib${archive}.a not found: run tools/deps.sh first "
                        "(it installs the -dev packages that carry it)")
  endif()
  add_library(dxfq::${name} STATIC IMPORTED GLOBAL)
  set_target_properties(dxfq::${name} PROPERTIES IMPORTED_LOCATION ${DXFQ_LIB_${name}})
  if(ARGN)
    target_link_libraries(dxfq::${name} INTERFACE ${ARGN})
  endif()
endfunction()

# dxfq_dep_shared(NAME LIB [LIBS...]): dxfq::NAME from a shared library.
function(dxfq_dep_shared name lib)
  find_library(DXFQ_LIB_${name} NAMES ${lib})
  if(NOT DXFQ_LIB_${name})
    message(FATAL_ERROR "lib${lib}.so not found: install its -dev package (tools/deps.sh)")
  endif()
  add_library(dxfq::${name} SHARED IMPORTED GLOBAL)
  set_target_properties(dxfq::${name} PROPERTIES IMPORTED_LOCATION ${DXFQ_LIB_${name}})
  if(ARGN)
    target_link_libraries(dxfq::${name} INTERFACE ${ARGN})
  endif()
endfunction()

# Flags for the code we build from third-party sources: hardening as in
# hardening.cmake, no warnings.
add_library(dxfq_dep_flags INTERFACE)
target_compile_options(dxfq_dep_flags INTERFACE -w -fstack-protector-strong)
if(NOT DXFQ_SANITIZE AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(dxfq_dep_flags INTERFACE _FORTIFY_SOURCE=2)
endif()

# ------------------------------------------------- from Debian's -dev packages

add_library(dxfq::stb INTERFACE IMPORTED GLOBAL)
target_include_directories(dxfq::stb INTERFACE /usr/include/stb)

if(DXFQ_SYSTEM_LIBS)
  dxfq_dep_shared(zlib z)
  dxfq_dep_shared(png png16 dxfq::zlib m)
  dxfq_dep_shared(sqlite3 sqlite3 Threads::Threads m)
  dxfq_dep_shared(lua lua5.4 m)
  dxfq_dep_shared(crypt crypt)
  dxfq_dep_shared(civetweb civetweb Threads::Threads)
  dxfq_dep_shared(hpdf hpdf)
  dxfq_dep_shared(cjson cjson)
  target_include_directories(dxfq::cjson INTERFACE /usr/include/cjson)
  target_include_directories(dxfq::lua INTERFACE /usr/include/lua5.4)
  return()
endif()

dxfq_dep_static(zlib z)
dxfq_dep_static(png png16 dxfq::zlib m)
dxfq_dep_static(sqlite3 sqlite3 Threads::Threads m)
dxfq_dep_static(lua lua5.4 m)
target_include_directories(dxfq::lua INTERFACE /usr/include/lua5.4)
dxfq_dep_static(crypt crypt)
if(DXFQ_TLS)
  dxfq_dep_static(crypto crypto Threads::Threads)
  dxfq_dep_static(ssl ssl dxfq::crypto)
endif()

# ------------------------------------------- built from the fetched sources

foreach(src civetweb libharu cjson)
  if(NOT EXISTS ${DXFQ_DEPS_DIR}/${src}/.dxfq-source)
    message(FATAL_ERROR "The source of ${src} is missing from ${DXFQ_DEPS_DIR}: "
                        "run tools/deps.sh first (or configure with -DDXFQ_SYSTEM_LIBS=ON)")
  endif()
endforeach()
# A new fetch (another Debian version) reconfigures.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${DXFQ_DEPS_DIR}/manifest.tsv)

# CivetWeb: the one source file.  No CGI, IPv6 or websockets.  NO_FILES
# removes the URL-to-file mapping altogether (the path of CVE-2025-55763)
# and refuses a document_root; it keeps every mg_ call, mg_send_file included.
# TLS: OpenSSL 3 linked in (NO_SSL_DL), never dlopen()ed at run time.
set(civetweb ${DXFQ_DEPS_DIR}/civetweb)
add_library(dxfq_civetweb STATIC ${civetweb}/src/civetweb.c)
target_include_directories(dxfq_civetweb SYSTEM PUBLIC ${civetweb}/include)
target_compile_definitions(dxfq_civetweb PRIVATE NO_CGI NO_FILES NDEBUG)
if(DXFQ_TLS)
  target_compile_definitions(dxfq_civetweb PRIVATE NO_SSL_DL OPENSSL_API_3_0)
  target_link_libraries(dxfq_civetweb PUBLIC dxfq::ssl)
else()
  target_compile_definitions(dxfq_civetweb PRIVATE NO_SSL)
endif()
target_link_libraries(dxfq_civetweb PUBLIC Threads::Threads PRIVATE dxfq_dep_flags)
add_library(dxfq::civetweb ALIAS dxfq_civetweb)

# libharu: its sources with a generated hpdf_config.h; PNG and zlib on.
set(libharu ${DXFQ_DEPS_DIR}/libharu)
set(LIBHPDF_HAVE_LIBPNG 1)
set(LIBHPDF_HAVE_LIBZ 1)
set(LIBHPDF_STDC_HEADERS 1)
foreach(h DLFCN_H INTTYPES_H MEMORY_H STDINT_H STDLIB_H STRINGS_H STRING_H SYS_STAT_H
          SYS_TYPES_H UNISTD_H)
  set(LIBHPDF_HAVE_${h} 1)
endforeach()
set(LIBHPDF_PACKAGE_NAME libharu)
file(STRINGS ${libharu}/.dxfq-source hpdf_source LIMIT_COUNT 1)
set(LIBHPDF_PACKAGE_STRING "${hpdf_source}")
configure_file(${libharu}/include/hpdf_config.h.cmake
               ${CMAKE_BINARY_DIR}/deps/libharu/hpdf_config.h)
file(GLOB hpdf_sources CONFIGURE_DEPENDS ${libharu}/src/*.c)
add_library(dxfq_hpdf STATIC ${hpdf_sources})
target_include_directories(dxfq_hpdf SYSTEM PUBLIC ${CMAKE_BINARY_DIR}/deps/libharu
                           ${libharu}/include)
target_link_libraries(dxfq_hpdf PUBLIC dxfq::png dxfq::zlib m PRIVATE dxfq_dep_flags)
add_library(dxfq::hpdf ALIAS dxfq_hpdf)

# cJSON, with Debian's security fixes (see .cache/deps/cjson/debian/patches).
# cJSON.c only: Debian's libcjson-dev has no cJSON_Utils, and both builds
# must offer the same API.
set(cjson ${DXFQ_DEPS_DIR}/cjson)
add_library(dxfq_cjson STATIC ${cjson}/cJSON.c)
target_include_directories(dxfq_cjson SYSTEM PUBLIC ${cjson})
target_link_libraries(dxfq_cjson PUBLIC m PRIVATE dxfq_dep_flags)
add_library(dxfq::cjson ALIAS dxfq_cjson)
