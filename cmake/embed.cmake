# dxfq_embed(TARGET SYMBOL BASE_DIR FILE...) compiles files into TARGET.
#
# At build time tools/embed.c writes ${CMAKE_CURRENT_BINARY_DIR}/SYMBOL.c,
# which defines `const struct embed_file SYMBOL[]` (core/core.h): one entry
# per FILE, named by its path relative to BASE_DIR, sorted, gzip and ETag
# made at build time.  A relative FILE is taken relative to BASE_DIR.  The
# source is regenerated when a FILE or the tool changes.  To pick up files
# added later, glob them with CONFIGURE_DEPENDS, e.g.
#   file(GLOB_RECURSE web CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/web/*)
#   dxfq_embed(dxfq_http embed_web ${CMAKE_SOURCE_DIR}/web ${web})
# and declare it where it is used: extern const struct embed_file embed_web[];

add_executable(dxfq_embed_tool ${CMAKE_SOURCE_DIR}/tools/embed.c)
set_target_properties(dxfq_embed_tool PROPERTIES OUTPUT_NAME embed
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools)
target_link_libraries(dxfq_embed_tool PRIVATE dxfq_flags dxfq::zlib)

function(dxfq_embed target symbol base_dir)
  cmake_path(ABSOLUTE_PATH base_dir BASE_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
             NORMALIZE OUTPUT_VARIABLE base)
  set(files "")
  foreach(f IN LISTS ARGN)
    cmake_path(ABSOLUTE_PATH f BASE_DIRECTORY ${base} NORMALIZE OUTPUT_VARIABLE abs)
    list(APPEND files ${abs})
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${symbol}.c)
  add_custom_command(OUTPUT ${out}
    COMMAND dxfq_embed_tool ${out} ${symbol} ${base} ${files}
    DEPENDS dxfq_embed_tool ${files}
    COMMENT "Embedding ${symbol} from ${base}"
    VERBATIM)
  set_source_files_properties(${out} PROPERTIES
    INCLUDE_DIRECTORIES ${CMAKE_SOURCE_DIR}/appliance)
  target_sources(${target} PRIVATE ${out})
endfunction()
