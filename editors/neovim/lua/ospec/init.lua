-- require("ospec").setup({ cmd = { "ospec-lsp" }, init_options = { profile = "strict" } })
-- Works on Neovim 0.7 .. 0.11+; on 0.11+ it uses vim.lsp.config/vim.lsp.enable
-- (pass native = false to force the FileType-autocmd path).
local M = {}

M.defaults = {
  name = "ospec",
  cmd = { "ospec-lsp" },
  filetypes = { "yaml.ospec" },
  root_markers = { ".git", ".ospec" },
}

local function find_root(fname, markers)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  for _, m in ipairs(markers) do
    local hit = vim.fn.finddir(m, dir .. ";")
    if hit == "" then hit = vim.fn.findfile(m, dir .. ";") end
    if hit ~= "" then return vim.fn.fnamemodify(hit, ":p:h:h") end -- ".git/" -> its parent
  end
  return dir
end

-- 0.7 .. 0.10: start (or reuse) one client per root_dir and attach the buffer.
function M.attach(bufnr, opts)
  local root = find_root(vim.api.nvim_buf_get_name(bufnr), opts.root_markers)
  local config = { name = opts.name, cmd = opts.cmd, root_dir = root,
                   settings = opts.settings, init_options = opts.init_options }
  if vim.lsp.start then -- 0.8+: reuses a client with the same name and root_dir
    return vim.api.nvim_buf_call(bufnr, function() return vim.lsp.start(config) end)
  end
  for _, c in pairs(vim.lsp.get_active_clients()) do -- 0.7
    if c.name == opts.name and c.config.root_dir == root then
      vim.lsp.buf_attach_client(bufnr, c.id)
      return c.id
    end
  end
  local id = vim.lsp.start_client(config)
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

function M.setup(user)
  local opts = vim.tbl_deep_extend("force", M.defaults, user or {})
  M.options = opts
  if vim.lsp.config and vim.lsp.enable and opts.native ~= false then -- 0.11+
    vim.lsp.config(opts.name, { cmd = opts.cmd, filetypes = opts.filetypes,
                                root_markers = opts.root_markers, settings = opts.settings,
                                init_options = opts.init_options })
    vim.lsp.enable(opts.name)
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("ospec_lsp", { clear = true }),
    pattern = opts.filetypes,
    callback = function(args) M.attach(args.buf, opts) end,
  })
end

return M
