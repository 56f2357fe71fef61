-- Headless Neovim as a real LSP client: load editors/neovim from OSPEC_PLUGIN_DIR, open the
-- spec given on the command line, and print ONE JSON line with what the client received.
--   OSPEC_PLUGIN_DIR=... OSPEC_LSP_CMD='["ospec-lsp"]' nvim --headless -u nvim_e2e.lua x.ospec.yaml
-- Hover and completion positions come from OSPEC_HOVER / OSPEC_COMPLETE ("line,col", 0-based).
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.runtimepath:prepend(os.getenv("OSPEC_PLUGIN_DIR"))
local timeout = tonumber(os.getenv("OSPEC_TIMEOUT_MS") or "20000")
require("ospec").setup({ cmd = vim.json.decode(os.getenv("OSPEC_LSP_CMD")) })

local function fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local function position(var)
  local line, col = (os.getenv(var) or "0,0"):match("(%d+),(%d+)")
  return { line = tonumber(line), character = tonumber(col) }
end

local function request(bufnr, method, pos)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = pos }
  for _, r in pairs(vim.lsp.buf_request_sync(bufnr, method, params, timeout) or {}) do
    if r.result then return r.result end
  end
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
  if not vim.wait(timeout, function() return #get_clients() > 0 end, 20) then
    return fail("the ospec client did not start for filetype " .. vim.bo[bufnr].filetype)
  end
  if not vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 20) then
    return fail("no diagnostics within " .. timeout .. " ms")
  end
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col, code = d.code,
                                severity = d.severity, message = d.message })
  end
  local hover = request(bufnr, "textDocument/hover", position("OSPEC_HOVER"))
  local completion = {}
  local result = request(bufnr, "textDocument/completion", position("OSPEC_COMPLETE")) or {}
  for _, item in ipairs(result.items or result) do table.insert(completion, item.label) end
  -- Further files (OSPEC_OTHERS, a JSON list): which of them the client attaches to.
  local attached = {}
  for _, path in ipairs(vim.json.decode(os.getenv("OSPEC_OTHERS") or "[]")) do
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    local function count()
      if vim.lsp.get_clients then return #vim.lsp.get_clients({ bufnr = buf }) end
      return vim.tbl_count(vim.lsp.buf_get_clients(buf))
    end
    vim.wait(2000, function() return count() > 0 end, 20) -- plain YAML waits it out
    attached[vim.fn.fnamemodify(path, ":t")] = { filetype = vim.bo[buf].filetype, clients = count() }
  end
  local v = vim.version()
  io.stdout:write(vim.json.encode({
    attached = next(attached) and attached or vim.NIL,
    nvim = v.major .. "." .. v.minor .. "." .. v.patch,
    filetype = vim.bo[bufnr].filetype,
    clients = #get_clients(),
    diagnostics = diagnostics,
    hover = hover and hover.contents or vim.NIL,
    completion = completion,
  }) .. "\n")
  io.stdout:flush()
  for _, c in pairs(get_clients()) do vim.lsp.stop_client(c.id) end
  vim.wait(3000, function() return #get_clients() == 0 end, 20)
  vim.cmd("qall!")
end

-- -u files run before the file arguments are loaded: work once Neovim has entered.
vim.api.nvim_create_autocmd("VimEnter", { once = true, nested = true, callback = function()
  local ok, err = pcall(run)
  if not ok then fail(tostring(err)) end
end })
