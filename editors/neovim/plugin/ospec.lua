-- :OspecDeploy and :OspecStatus, whichever way the server was started (setup() or vim.lsp.enable).
if vim.g.loaded_ospec then return end
vim.g.loaded_ospec = true

vim.api.nvim_create_user_command("OspecDeploy", function() require("ospec").deploy() end,
  { desc = "Deploy this OSpec spec to the platform API (the server reports progress)" })
vim.api.nvim_create_user_command("OspecStatus", function() require("ospec").status() end,
  { desc = "Refresh the deploy status of this OSpec spec" })
