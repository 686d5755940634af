# INTERIM placeholder: dxfq_embed() turns files into a C source at build time.
# Replaced by the real tool (tools/embed.c) in the build work.
function(dxfq_embed out_c symbol)
endfunction()
