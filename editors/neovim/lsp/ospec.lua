---@brief
--- ospec-lsp: diagnostics, completion, hover, navigation and quick fixes for OSpec specs.
--- Install with `pip install ospec`; enable with `vim.lsp.enable('ospec')` (Neovim >= 0.11).
---@type vim.lsp.Config
return {
  cmd = { "ospec-lsp" },
  filetypes = { "yaml.ospec" },
  root_markers = { ".git", ".ospec" },
}
