# Warnings and hardening for our own code (dependencies get their own flags).
# dxfq_hardening is an interface target every one of our targets links.
add_library(dxfq_flags INTERFACE)
target_compile_options(dxfq_flags INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes -Wmissing-prototypes
  -Wno-sign-conversion
  -fstack-protector-strong -fno-strict-aliasing)
if(DXFQ_WERROR)
  target_compile_options(dxfq_flags INTERFACE -Werror)
endif()
if(NOT DXFQ_SANITIZE AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(dxfq_flags INTERFACE _FORTIFY_SOURCE=2)
endif()
target_compile_definitions(dxfq_flags INTERFACE _GNU_SOURCE)

# PIE and full RELRO for everything we link.
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
add_link_options(-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack)

if(DXFQ_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
