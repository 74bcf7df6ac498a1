-- tfmend for Neovim: the tfmend language server for Python buffers, on Neovim 0.7 and newer.
--
-- Put this file on 'runtimepath' as lua/tfmend.lua (or copy what you need), then:
--
--   require('tfmend').setup()                       -- `tfmend serve` from PATH
--   require('tfmend').setup({ cmd = { '/path/to/venv/bin/python', '-m', 'tfmend', 'serve' } })
--
-- On Neovim 0.11+ setup() uses vim.lsp.config()/vim.lsp.enable(); on 0.7-0.10 it starts the
-- client from a FileType autocommand. nvim-lspconfig users can call
-- require('tfmend').lspconfig() instead (it registers "tfmend" as a custom server).
--
-- What you get in Python buffers the server attaches to:
--   <leader>ta  code actions (quick fixes) at the cursor     vim.lsp.buf.code_action()
--   <leader>tf  fix every tfmend problem in the buffer        :TfmendFixAll
--   <leader>tv  validate the fix at the cursor with your TF   :TfmendValidate
--   :TfmendValidate also takes a range (:'<,'>TfmendValidate) to validate the fixes in it.
-- Set keymaps = false in setup() to define your own.
local M = {}

M.defaults = {
  name = 'tfmend',
  cmd = { 'tfmend', 'serve' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.cfg', 'setup.py', 'requirements.txt', '.git' },
  -- Sent as initializationOptions and as the answer to workspace/configuration for "tfmend";
  -- the keys are the VS Code extension's settings without the "tfmend." prefix.
  settings = {
    -- interpreter = { '/path/to/venv/bin/python' },   -- validates fixes (default: the server's)
    -- select = { 'TFM4' }, ignore = {}, unsafeFixes = false,
    -- validation = { enable = true, timeout = 120, command = {}, importCheck = true, gpu = false },
  },
  keymaps = true,
}

local FIX_ALL = 'source.fixAll.tfmend'
local VALIDATE = 'tfmend.validateFix'

local function has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

local function clients(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local found = {}
  for _, client in ipairs(get({ bufnr = bufnr })) do
    if client.name == M.config.name then
      table.insert(found, client)
    end
  end
  return found
end

local function notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO, { title = 'tfmend' })
end

--- A transient status line (not kept in :messages, so the verdict that follows is the one
--- message and no hit-enter prompt stacks up).
local function progress(msg)
  vim.api.nvim_echo({ { msg } }, false, {})
  vim.cmd('redraw')
end

local LEVELS = { [1] = vim.log.levels.ERROR, [2] = vim.log.levels.WARN, [3] = vim.log.levels.INFO, [4] = vim.log.levels.DEBUG }

--- window/showMessage through vim.notify on every Neovim (0.7 writes "LSP[tfmend][Info] ..."
--- with nvim_out_write); the server's messages already start with "tfmend: ".
local function show_message(_, result)
  if result and type(result.message) == 'string' then
    notify(result.message, LEVELS[result.type] or vim.log.levels.INFO)
  end
  return vim.NIL
end

--- Fixes every tfmend problem in the buffer through the source.fixAll.tfmend code action.
function M.fix_all()
  local opts = { context = { only = { FIX_ALL }, diagnostics = {} }, apply = true }
  if has('0.8') then
    vim.lsp.buf.code_action(opts)
  else
    -- 0.7 has no `apply`: it always asks with vim.ui.select, even for one action.
    vim.lsp.buf.code_action(opts.context)
  end
end

--- One line for the result of tfmend.validateFix:
--- {status, summary, message?, ...}: the summary is the verdict the server made.
function M.describe(result)
  if type(result) ~= 'table' then
    return 'tfmend: ' .. tostring(result), vim.log.levels.INFO
  end
  local status = result.status or 'finished'
  local levels = { passed = vim.log.levels.INFO, skipped = vim.log.levels.WARN, finished = vim.log.levels.INFO }
  local level = levels[status] or vim.log.levels.ERROR
  -- The server's summary is the verdict: shown as it is, never made again here.
  if type(result.summary) == 'string' and result.summary ~= '' then
    return 'tfmend: ' .. result.summary, level
  end
  local text = 'tfmend: validation ' .. status
  if type(result.message) == 'string' and result.message ~= '' then
    text = text .. ': ' .. result.message
  end
  return text, level
end

--- Validates the fix at the cursor (or in lines line1..line2) by running the old and the new
--- code with the TensorFlow the server's interpreter has. `on_result(err, result)` is optional:
--- without it the verdict is shown with vim.notify.
function M.validate(opts, on_result)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = clients(bufnr)[1]
  if not client then
    notify('tfmend: the server is not attached to this buffer', vim.log.levels.ERROR)
    return
  end
  local encoding = client.offset_encoding or 'utf-16'
  local range
  if opts.line1 and opts.line2 and opts.line1 ~= opts.line2 then
    local last = vim.api.nvim_buf_get_lines(bufnr, opts.line2 - 1, opts.line2, false)[1] or ''
    range = vim.lsp.util.make_given_range_params({ opts.line1, 0 }, { opts.line2, #last }, bufnr, encoding).range
  else
    range = vim.lsp.util.make_range_params(0, encoding).range
  end
  local params = { command = VALIDATE, arguments = { { uri = vim.uri_from_bufnr(bufnr), range = range } } }
  local first, last = range.start.line + 1, range['end'].line + 1
  progress(first == last and string.format('tfmend: validating the fix on line %d…', first)
    or string.format('tfmend: validating the fixes in lines %d-%d…', first, last))
  local request = has('0.11') and function(...) return client:request(...) end or client.request
  request('workspace/executeCommand', params, function(err, result)
    if on_result then
      on_result(err, result)
    elseif err then
      notify('tfmend: validation failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    elseif result == nil or result == vim.NIL then
      notify('tfmend: there is no fix at the cursor to validate', vim.log.levels.WARN)
    elseif type(result) == 'table' and type(result.summary) == 'string' then
      -- the server said it (window/showMessage): once is enough
      progress('')
    else
      notify(M.describe(result))
    end
  end, bufnr)
end

local function on_attach(client, bufnr)
  if not M.config.keymaps then
    return
  end
  local function map(lhs, rhs, desc)
    vim.keymap.set('n', lhs, rhs, { buffer = bufnr, desc = desc })
  end
  map('<leader>ta', vim.lsp.buf.code_action, 'tfmend: code actions')
  map('<leader>tf', M.fix_all, 'tfmend: fix all')
  map('<leader>tv', function() M.validate({ bufnr = bufnr }) end, 'tfmend: validate the fix at the cursor')
  vim.keymap.set('x', '<leader>tv', ':TfmendValidate<CR>', { buffer = bufnr, desc = 'tfmend: validate the fixes in the selection' })
end

local function client_config()
  local c = M.config
  return {
    name = c.name,
    cmd = c.cmd,
    filetypes = c.filetypes,
    root_markers = c.root_markers,
    init_options = c.settings,
    settings = { tfmend = c.settings },
    on_attach = on_attach,
    handlers = { ['window/showMessage'] = show_message },
  }
end

local function root_dir(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local start = path ~= '' and vim.fn.fnamemodify(path, ':p:h') or vim.fn.getcwd()
  if vim.fs and vim.fs.find then
    local found = vim.fs.find(M.config.root_markers, { path = start, upward = true })[1]
    if found then
      return vim.fn.fnamemodify(found, ':h')
    end
    return start
  end
  -- 0.7: walk up by hand
  local dir = start
  while dir and dir ~= '' do
    for _, marker in ipairs(M.config.root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

--- Starts (or reuses) the client for a buffer: Neovim 0.7-0.10.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local config = client_config()
  config.root_dir = root_dir(bufnr)
  if vim.lsp.start then -- 0.8+: reuses a client with the same name and root
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  for _, client in ipairs(vim.lsp.get_active_clients()) do
    if client.name == config.name and client.config.root_dir == config.root_dir then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return client.id
    end
  end
  local id = vim.lsp.start_client(config)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

local function user_commands()
  vim.api.nvim_create_user_command('TfmendValidate', function(args)
    M.validate({ line1 = args.range > 0 and args.line1 or nil, line2 = args.range > 0 and args.line2 or nil })
  end, { range = true, desc = 'tfmend: validate the fix at the cursor (or in the range)' })
  vim.api.nvim_create_user_command('TfmendFixAll', M.fix_all, { desc = 'tfmend: fix every problem in the buffer' })
end

--- Sets tfmend up for Python buffers. `opts` overrides M.defaults.
--- Says so when the server command cannot run (else nothing would start, silently).
local function check_cmd()
  local program = M.config.cmd[1]
  if type(program) == 'string' and vim.fn.executable(program) ~= 1 then
    notify(string.format("tfmend: '%s' is not an executable on PATH, so no tfmend server starts; install "
      .. "tfmend (docs/editors/README.md#install) or pass setup({ cmd = { '/path/to/venv/bin/python', "
      .. "'-m', 'tfmend', 'serve' } })", program), vim.log.levels.WARN)
    return false
  end
  return true
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', {}, M.defaults, opts or {})
  user_commands()
  check_cmd()
  if vim.lsp.config and vim.lsp.enable then -- 0.11+
    vim.lsp.config(M.config.name, client_config())
    vim.lsp.enable(M.config.name)
    return
  end
  local group = vim.api.nvim_create_augroup('tfmend', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(ev) M.start(ev.buf) end,
  })
  -- Buffers already open when setup() runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.config.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

--- For nvim-lspconfig users (with Neovim older than 0.11): registers "tfmend" and sets it up.
function M.lspconfig(opts)
  M.config = vim.tbl_deep_extend('force', {}, M.defaults, opts or {})
  user_commands()
  local configs = require('lspconfig.configs')
  local util = require('lspconfig.util')
  if not configs.tfmend then
    local c = client_config()
    configs.tfmend = {
      default_config = {
        cmd = c.cmd,
        filetypes = c.filetypes,
        root_dir = util.root_pattern(unpack(M.config.root_markers)),
        init_options = c.init_options,
        settings = c.settings,
      },
    }
  end
  require('lspconfig').tfmend.setup({ on_attach = on_attach })
end

M.config = vim.deepcopy(M.defaults)
return M
