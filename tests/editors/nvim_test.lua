-- Headless Neovim test of editors/tfmend.lua against the real tfmend server (0.7 and 0.11).
-- Run by tests/editors/test_neovim.py:  nvim --headless --noplugin -i NONE -u nvim_test.lua
-- Env: TFMEND_LUA_DIR (editors/), TFMEND_CMD (JSON list: the server command), TFMEND_FILE,
--      TFMEND_MIXED (a file with a safe fix, an unsafe one and a finding without a fix),
--      TFMEND_RESULT (a JSON report written here), TFMEND_VALIDATION_TIMEOUT_MS.
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
  report.levels = {}
  vim.notify = function(msg, level, opts)
    table.insert(report.messages, msg)
    table.insert(report.levels, level or vim.log.levels.INFO)
    return notify(msg, level, opts)
  end
  -- the transient progress lines (nvim_echo with history off)
  report.echoed = {}
  local echo = vim.api.nvim_echo
  vim.api.nvim_echo = function(chunks, history, opts)
    if not history and chunks[1] and chunks[1][1] ~= '' then table.insert(report.echoed, chunks[1][1]) end
    return echo(chunks, history, opts)
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
      local wanted = report.want and (action.title or ''):match(report.want)
        or not report.want and (action.kind or ''):match('^source%.fixAll')
      if not pick and wanted then pick = i end
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

  -- 4. write
  vim.cmd('write')
  log('written')

  -- 5. a file with a safe fix, an unsafe one and a finding without a fix: one diagnostic per
  --    finding with its severity, the quick fixes' titles, hover, validating where there is no
  --    fix and a selection, then Fix all, which says what it left
  vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('TFMEND_MIXED'))))
  local mixed = vim.api.nvim_get_current_buf()
  if not vim.wait(30000, function() return #tfmend_diagnostics(mixed) >= 3 end, 20) then
    return fail('fewer than 3 diagnostics in the mixed file: ' .. vim.inspect(vim.diagnostic.get(mixed)))
  end
  vim.wait(500) -- a row more would come with them
  local found = tfmend_diagnostics(mixed)
  table.sort(found, function(a, b) return a.lnum < b.lnum end)
  report.mixed_diagnostics = {}
  for _, d in ipairs(found) do
    table.insert(report.mixed_diagnostics, { code = d.code, lnum = d.lnum, col = d.col, severity = d.severity, message = d.message })
  end
  local client = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ bufnr = mixed })[1]
  local encoding = client.offset_encoding or 'utf-16'
  report.titles = {}
  for _, d in ipairs(found) do
    vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
    local params = vim.lsp.util.make_range_params(0, encoding)
    params.context = { diagnostics = {} }
    local titles = {}
    for _, response in pairs(vim.lsp.buf_request_sync(mixed, 'textDocument/codeAction', params, 20000) or {}) do
      for _, action in ipairs(response.result or {}) do table.insert(titles, action.title) end
    end
    report.titles[tostring(d.lnum + 1)] = titles
  end
  vim.api.nvim_win_set_cursor(0, { found[1].lnum + 1, found[1].col })
  local hover = vim.lsp.buf_request_sync(mixed, 'textDocument/hover', vim.lsp.util.make_position_params(0, encoding), 20000)
  for _, response in pairs(hover or {}) do
    local contents = response.result and response.result.contents
    report.hover = type(contents) == 'table' and (contents.value or vim.inspect(contents)) or tostring(contents)
  end
  log('mixed file: %d diagnostics, titles %s', #found, vim.inspect(report.titles))

  local function said_after(before, pattern)
    for i = before + 1, #report.messages do
      if report.messages[i]:match(pattern) then return true end
    end
    return false
  end
  local function since(before)
    local out = {}
    for i = before + 1, #report.messages do
      table.insert(out, { message = report.messages[i], level = report.levels[i] })
    end
    return out
  end
  -- "Validate this fix" picked from the code-action menu: the verdict, once
  vim.api.nvim_win_set_cursor(0, { found[1].lnum + 1, found[1].col })
  local before_menu = #report.messages
  report.want = '^Validate this fix'
  local context = { only = { 'quickfix' }, diagnostics = {} }
  if vim.fn.has('nvim-0.8') == 1 then vim.lsp.buf.code_action({ context = context }) else vim.lsp.buf.code_action(context) end
  if not vim.wait(timeout, function() return said_after(before_menu, '^tfmend: validation') end, 50) then
    return fail('no verdict for the menu\'s Validate this fix: ' .. vim.inspect(since(before_menu)))
  end
  vim.wait(1000)
  report.want = nil
  report.menu_validation = since(before_menu)
  vim.api.nvim_win_set_cursor(0, { found[3].lnum + 1, found[3].col })
  local before = #report.messages
  vim.cmd('TfmendValidate')
  if not vim.wait(30000, function() return said_after(before, '^tfmend: ') end, 20) then
    return fail('validating where there is no fix said nothing')
  end
  vim.wait(1000)
  report.no_fix = since(before)
  local function fix_all(gone, key)
    local before = #report.messages
    vim.cmd('TfmendFixAll')
    local done = vim.wait(20000, function()
      local text = table.concat(vim.api.nvim_buf_get_lines(mixed, 0, -1, false), '\n')
      return said_after(before, '^tfmend: Fix all') and not text:find(gone)
    end, 20)
    vim.wait(500)
    report[key] = since(before)
    report[key .. '_text'] = table.concat(vim.api.nvim_buf_get_lines(mixed, 0, -1, false), '\n')
    log('%s: %s', key, vim.inspect(report[key]))
    return done
  end
  -- Fix all applies the safe fix and says what it left
  if not fix_all('K%.sqrt', 'fix_all') then
    return fail('Fix all did not apply the safe fix and say what it left: ' .. vim.inspect(report.fix_all))
  end
  -- the unsafe fix validated (a selection: the progress line names its lines, the verdict
  -- what ran), Fix all applies it too
  before = #report.messages
  local echoed = #report.echoed
  vim.cmd(string.format('%d,%dTfmendValidate', found[1].lnum + 1, found[2].lnum + 1))
  if not vim.wait(timeout, function() return said_after(before, '^tfmend: validation') end, 50) then
    return fail('no verdict for the selection: ' .. vim.inspect(since(before)))
  end
  vim.wait(1000)
  report.selection = since(before)
  report.selection_progress = {}
  for i = echoed + 1, #report.echoed do table.insert(report.selection_progress, report.echoed[i]) end
  log('selection: %s', vim.inspect(report.selection))

  if not fix_all('1, "best"', 'fix_all_validated') then
    return fail('Fix all did not apply the validated fix: ' .. vim.inspect(report.fix_all_validated))
  end
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
