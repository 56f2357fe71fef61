-- Headless Neovim deploying a spec through the OSpec language server: ask for the code actions,
-- run the Deploy action's command, wait for the server to say the project is deployed, read the
-- lens, run :lua require("ospec").status(), and print ONE JSON line with what the client saw.
--   OSPEC_PLUGIN_DIR=... OSPEC_LSP_CMD='[...]' OSPEC_API_URL=... OSPEC_API_TOKEN=... \
--     nvim --headless -u nvim_deploy_e2e.lua shop.ospec.yaml
-- The server inherits the environment, so OSPEC_API_URL and OSPEC_API_TOKEN configure it.
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.runtimepath:prepend(os.getenv("OSPEC_PLUGIN_DIR"))
local timeout = tonumber(os.getenv("OSPEC_TIMEOUT_MS") or "60000")
require("ospec").setup({ cmd = vim.json.decode(os.getenv("OSPEC_LSP_CMD")) })

-- Messages and questions from the server are recorded; questions get no answer (headless).
local messages = {}
vim.lsp.handlers["window/showMessage"] = function(_, result)
  table.insert(messages, result.message)
end
vim.lsp.handlers["window/showMessageRequest"] = function(_, result)
  table.insert(messages, result.message)
  return vim.NIL
end

local function fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local function said(text)
  for _, m in ipairs(messages) do
    if m:find(text, 1, true) then return m end
  end
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
  if not vim.wait(timeout, function() return #get_clients() > 0 end, 20) then
    return fail("the ospec client did not start for filetype " .. vim.bo[bufnr].filetype)
  end
  local client = get_clients()[1]
  vim.wait(timeout, function() return client.initialized end, 20)

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 3, character = 0 }, ["end"] = { line = 3, character = 0 } },
    context = { diagnostics = {} },
  }
  local action
  for _, r in pairs(vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, timeout) or {}) do
    for _, a in ipairs(r.result or {}) do
      if a.kind == "source.deploy.ospec" then action = a end
    end
  end
  if not action then return fail("no Deploy code action") end

  local answer = vim.lsp.buf_request_sync(bufnr, "workspace/executeCommand", action.command, timeout)
  local result
  for _, r in pairs(answer or {}) do
    if r.err then return fail("ospec.deploy failed: " .. vim.inspect(r.err)) end
    result = r.result
  end
  if not vim.wait(timeout, function() return said("is deployed") ~= nil end, 50) then
    return fail("not deployed; messages: " .. vim.inspect(messages))
  end

  local lenses = {}
  local lens_params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  for _, r in pairs(vim.lsp.buf_request_sync(bufnr, "textDocument/codeLens", lens_params, timeout) or {}) do
    for _, lens in ipairs(r.result or {}) do table.insert(lenses, lens.command.title) end
  end

  require("ospec").status()
  vim.wait(timeout, function() return said(result.projectId .. ": ") ~= nil end, 50)

  io.stdout:write(vim.json.encode({
    action = { title = action.title, kind = action.kind, command = action.command.command },
    result = result,
    messages = messages,
    lenses = lenses,
  }) .. "\n")
  io.stdout:flush()
  for _, c in pairs(get_clients()) do vim.lsp.stop_client(c.id) end
  vim.wait(3000, function() return #get_clients() == 0 end, 20)
  vim.cmd("qall!")
end

vim.api.nvim_create_autocmd("VimEnter", { once = true, nested = true, callback = function()
  local ok, err = pcall(run)
  if not ok then fail(tostring(err)) end
end })
