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

local function client_for(bufnr)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
    or vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  for _, c in ipairs(clients) do
    if c.name == ((M.options or M.defaults).name) then return c end
  end
end

-- Run a server command on the current buffer; the server answers with its own messages.
local function execute(command, with_version)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return vim.notify("ospec: no OSpec language server is attached to this buffer", vim.log.levels.WARN)
  end
  local args = { vim.uri_from_bufnr(bufnr) }
  if with_version then -- the version the server last saw; it refuses a stale one
    local versions = vim.lsp.util.buf_versions or {}
    table.insert(args, versions[bufnr] or vim.b[bufnr].changedtick)
  end
  local params = { command = command, arguments = args }
  local function done(err)
    if err then vim.notify("ospec: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR) end
  end
  if vim.fn.has("nvim-0.11") == 1 then
    client:request("workspace/executeCommand", params, done, bufnr)
  else
    client.request("workspace/executeCommand", params, done, bufnr)
  end
end

function M.deploy() execute("ospec.deploy", true) end
function M.status() execute("ospec.status", false) end

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
