-- Headless Neovim as a real LSP client of `protolint server`: open a prototxt, wait for the
-- diagnostics Neovim receives, ask for a hover, write what it got to $PROTOLINT_OUT, quit.
local file = os.getenv("PROTOLINT_FILE")
local out = os.getenv("PROTOLINT_OUT")
local python = os.getenv("PROTOLINT_PYTHON")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "protolint",
  cmd = { python, "-m", "protolint", "server" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
})
vim.lsp.buf_attach_client(buf, client_id)
local lines = {}
local got = vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
table.insert(lines, "waited " .. tostring(got))
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ""
  table.insert(lines, string.format("diagnostic %d:%d:%s:%s", d.lnum, d.col, code, d.message))
end
local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = tonumber(os.getenv("PROTOLINT_HOVER_LINE")), character = tonumber(os.getenv("PROTOLINT_HOVER_CHARACTER")) } }
local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 30000) or {}
for _, response in pairs(responses) do
  if response.result and response.result.contents then
    local value = response.result.contents.value or ""
    table.insert(lines, "hover " .. value:gsub("\n", " "))
  end
end
vim.fn.writefile(lines, out)
local client = vim.lsp.get_client_by_id(client_id)
if client then client.stop() end
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd("qall!")
