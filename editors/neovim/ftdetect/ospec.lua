-- *.ospec.yaml / *.ospec.yml -> the compound filetype "yaml.ospec": YAML syntax and
-- plugins still apply, and only the ospec server attaches (nvim-lspconfig's yaml.<flavour>).
if vim.fn.has("nvim-0.8") == 1 then
  vim.filetype.add({ pattern = { [".*%.ospec%.ya?ml"] = "yaml.ospec", [".*%.ospec"] = "yaml.ospec" } })
else -- 0.7: filetype.vim is in charge; run after its "setf yaml" and override
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    pattern = { "*.ospec.yaml", "*.ospec.yml", "*.ospec" },
    command = "set filetype=yaml.ospec",
  })
end
