-- Headless Neovim test of editors/tfmend.lua against the real tfmend server (0.7 and 0.11).
-- Run by tests/editors/test_neovim.py:  nvim --headless --noplugin -i NONE -u nvim_test.lua
-- Env: TFMEND_LUA_DIR (editors/), TFMEND_CMD (JSON list: the server command), TFMEND_FILE,
--      TFMEND_SECOND (a file whose only fix is unsafe), TFMEND_RESULT (a JSON report written
--      here), TFMEND_VALIDATION_TIMEOUT_MS.
-- Exit status 0 = every step passed.
vim.g.loaded_python3_provider = 0 -- else ftplugin/python.vim probes python for pynvim (~0.8 s)
vim.cmd('filetype on')

local t0 = vim.loop.hrtime()
local report = { steps = {}, messages = {} }
local function ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end
local function log(fmt, ...)
  local line = string.format('[%6d ms] ' .. fmt, ms(), ...)
  io.stdout:write(line, '\n')
  table.insert(report.steps, line)
end
local function save_report()
  local path = os.getenv('TFMEND_RESULT')
  if path then vim.fn.writefile({ vim.fn.json_encode(report) }, path) end
end
local function fail(msg)
  report.error = msg
  save_report()
  io.stderr:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function tfmend_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'tfmend' then table.insert(out, d) end
  end
  return out
end

local function run()
  local notify = vim.notify
  vim.notify = function(msg, level, opts)
    table.insert(report.messages, msg)
    return notify(msg, level, opts)
  end
  package.path = assert(os.getenv('TFMEND_LUA_DIR')) .. '/?.lua;' .. package.path
  local file = assert(os.getenv('TFMEND_FILE'))
  local tfmend = require('tfmend')
  tfmend.setup({ cmd = vim.fn.json_decode(assert(os.getenv('TFMEND_CMD'))) })
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local v = vim.version()
  report.nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  log('nvim %s opened %s (filetype=%s)', report.nvim, file, vim.bo[bufnr].filetype)

  -- 1. diagnostics
  if not vim.wait(30000, function() return #tfmend_diagnostics(bufnr) >= 2 end, 20) then
    return fail('fewer than 2 tfmend diagnostics within 30 s: ' .. vim.inspect(vim.diagnostic.get(bufnr)))
  end
  local diags = tfmend_diagnostics(bufnr)
  table.sort(diags, function(a, b) return a.lnum < b.lnum end)
  report.diagnostics = {}
  for _, d in ipairs(diags) do
    table.insert(report.diagnostics, { code = d.code, lnum = d.lnum, col = d.col, message = d.message })
  end
  log('%d diagnostics, first: %s %s', #diags, tostring(diags[1].code), diags[1].message)

  -- 2. :TfmendValidate at the first finding (workspace/executeCommand tfmend.validateFix)
  vim.api.nvim_win_set_cursor(0, { diags[1].lnum + 1, diags[1].col })
  vim.cmd('TfmendValidate')
  local timeout = tonumber(os.getenv('TFMEND_VALIDATION_TIMEOUT_MS') or '180000')
  local verdict
  local ok = vim.wait(timeout, function()
    for _, m in ipairs(report.messages) do
      if m:match('^tfmend: validation') or m:match('^tfmend: there is no fix') then verdict = m return true end
    end
    return false
  end, 50)
  if not ok then return fail('no validation result; messages: ' .. vim.inspect(report.messages)) end
  report.validation = verdict
  log('validation: %s', verdict)
  vim.wait(1000) -- a second verdict would come at once
  report.verdicts = {}
  for _, m in ipairs(report.messages) do
    if m:match('^tfmend: validat') then table.insert(report.verdicts, m) end
  end
  -- the progress line is transient: not in :messages, so no hit-enter prompt stacks up
  report.history = vim.fn.execute('messages')

  -- 3. fix all through vim.lsp.buf.code_action (only = source.fixAll.tfmend); on 0.7 the
  --    action is picked in vim.ui.select as a user would.
  report.offered = {}
  vim.ui.select = function(items, _, on_choice)
    local pick
    for i, item in ipairs(items) do
      local action = item.action or item[2] or item
      table.insert(report.offered, action.title or vim.inspect(item))
      if not pick and (action.kind or ''):match('^source%.fixAll') then pick = i end
    end
    on_choice(items[pick or 1], pick or 1)
  end
  vim.cmd('TfmendFixAll')
  ok = vim.wait(20000, function()
    local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
    return not text:find('K%.') and text:find('tf%.reduce_max') ~= nil
  end, 20)
  if not ok then
    return fail('fix-all not applied; offered: ' .. vim.inspect(report.offered) .. '\n'
      .. table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n'))
  end
  log('fix-all applied (offered: %s)', table.concat(report.offered, ', '))
  if not vim.wait(20000, function() return #tfmend_diagnostics(bufnr) == 0 end, 20) then
    return fail('diagnostics left after fix-all: ' .. vim.inspect(tfmend_diagnostics(bufnr)))
  end
  log('no diagnostics left')

  -- 4. write; then fix all in a file whose only fix is unsafe: the message says what it left
  vim.cmd('write')
  log('written')
  vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('TFMEND_SECOND'))))
  local second = vim.api.nvim_get_current_buf()
  if not vim.wait(30000, function() return #tfmend_diagnostics(second) >= 1 end, 20) then
    return fail('no diagnostics in the second file')
  end
  local before = #report.messages
  vim.cmd('TfmendFixAll')
  ok = vim.wait(20000, function()
    for i = before + 1, #report.messages do
      if report.messages[i]:match('^tfmend: Fix all') then report.fix_all_message = report.messages[i] return true end
    end
    return false
  end, 20)
  if not ok then
    return fail('Fix all said nothing about the unsafe fix it left: ' .. vim.inspect(report.messages))
  end
  log('fix all: %s', report.fix_all_message)
  report.second_text = table.concat(vim.api.nvim_buf_get_lines(second, 0, -1, false), '\n')
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get({ bufnr = bufnr })) do
    vim.lsp.stop_client(client.id)
  end
  vim.wait(5000, function() return #get() == 0 end, 20)
  log('PASS')
  report.passed = true
  save_report()
  vim.cmd('qall!')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- so :edit fires BufRead/FileType autocommands
  callback = function()
    local ok, err = pcall(run)
    if not ok then fail('error: ' .. tostring(err)) end
  end,
})
