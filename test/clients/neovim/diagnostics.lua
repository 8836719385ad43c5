-- Drives FeatureGuard's language server from Neovim's own LSP client (0.7.2, Debian 12), headless.
-- Run by test/clients/neovim.test.ts as `nvim --headless --clean -u NONE -c 'luafile diagnostics.lua'`
-- with these environment variables:
--   FG_ROOT  the feature repository (a git repository with featureguard.json)
--   FG_FILE  the file to open and edit, relative to FG_ROOT
--   FG_CLI   dist/cli.js;  FG_NODE  the node binary (default: node)
--   FG_FROM, FG_TO  the story's edit: the text replaced within one line, and its replacement
--   FG_FILETYPE  the buffer's filetype (default: typescript)
--   FG_WAIT_CODE the diagnostic code that ends the wait after the edit (default: value.mismatch)
-- Prints one line `FG_RESULT <json>` on stdout (print() goes to stderr in headless Neovim), then
-- quits; `cquit 1` on any error, since an uncaught Lua error leaves headless Neovim hanging.

local result = { ok = false, statuses = {}, logs = {}, publishes = {}, configuration_requests = 0 }
local t_start = vim.loop.hrtime()
local function ms_since(t) return (vim.loop.hrtime() - t) / 1e6 end

local function emit()
  io.stdout:write('FG_RESULT ' .. vim.fn.json_encode(result) .. '\n')
  io.stdout:flush()
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

local function diagnostics_of(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, {
      code = code_of(d), severity = d.severity, lnum = d.lnum, col = d.col,
      end_lnum = d.end_lnum, end_col = d.end_col, message = d.message, source = d.source,
    })
  end
  return out
end

local function has_code(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if code_of(d) == code then return true end
  end
  return false
end

local function main()
  local root = assert(vim.env.FG_ROOT, 'FG_ROOT is not set')
  local file = assert(vim.env.FG_FILE, 'FG_FILE is not set')
  local cli = assert(vim.env.FG_CLI, 'FG_CLI is not set')
  local from, to = assert(vim.env.FG_FROM, 'FG_FROM is not set'), assert(vim.env.FG_TO, 'FG_TO is not set')
  result.nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch

  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. file))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = vim.env.FG_FILETYPE or 'typescript'
  local wait_code = vim.env.FG_WAIT_CODE or 'value.mismatch'

  -- Neovim 0.7.2 answers workspace/configuration from `settings` but does not advertise the
  -- capability (0.8 does; nvim-lspconfig adds it), and FeatureGuard asks only when advertised.
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  capabilities.workspace.configuration = true

  local default_configuration = vim.lsp.handlers['workspace/configuration']
  local exited = false
  local client_id = vim.lsp.start_client({
    name = 'featureguard',
    cmd = { vim.env.FG_NODE or 'node', cli, 'lsp', '--stdio' },
    cmd_cwd = root,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'featureguard-test' } },
    settings = { featureguard = { runDataChecks = 'onType', dataCheckDelayMs = 100 } },
    capabilities = capabilities,
    handlers = {
      ['workspace/configuration'] = function(err, params, ctx, config)
        result.configuration_requests = result.configuration_requests + 1
        return default_configuration(err, params, ctx, config)
      end,
      ['featureguard/status'] = function(_, params)
        table.insert(result.statuses, { state = params.state, message = params.message, ms = ms_since(t_start) })
      end,
      ['window/logMessage'] = function(_, params)
        table.insert(result.logs, params.message)
      end,
      ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
        local codes = {}
        for _, d in ipairs(params.diagnostics or {}) do table.insert(codes, tostring(d.code)) end
        table.insert(result.publishes, { uri = params.uri, codes = codes, ms = ms_since(t_start) })
        return vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
      end,
    },
    on_exit = function(code, signal)
      exited = true
      result.server_exit = { code = code, signal = signal }
    end,
  })
  assert(client_id, 'vim.lsp.start_client returned nil: the server did not start')
  assert(vim.lsp.buf_attach_client(buf, client_id), 'vim.lsp.buf_attach_client failed')

  -- The folder's first run (at start-up, on the unedited file) ends with a status; a user types
  -- after it.
  local ready = vim.wait(30000, function()
    for _, s in ipairs(result.statuses) do if s.state == 'idle' then return true end end
    return exited
  end, 20)
  assert(ready and not exited, 'no idle status from the server within 30 s of start-up')
  result.ready_ms = ms_since(t_start)
  result.diagnostics_before_edit = diagnostics_of(buf)

  -- The story's edit, typed into the buffer and never saved.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local edited_line
  for i, line in ipairs(lines) do
    local s, e = line:find(from, 1, true)
    if s then
      edited_line = i - 1
      local t_edit = vim.loop.hrtime()
      vim.api.nvim_buf_set_lines(buf, edited_line, edited_line + 1, false, { line:sub(1, s - 1) .. to .. line:sub(e + 1) })
      result.edited_line = edited_line
      local seen = {}
      local found = vim.wait(30000, function()
        if not seen.impact and has_code(buf, 'impact') then seen.impact = ms_since(t_edit) end
        if has_code(buf, wait_code) then return true end
        return exited
      end, 50)
      result.impact_ms = seen.impact
      result.mismatch_ms = found and not exited and ms_since(t_edit) or vim.NIL
      break
    end
  end
  assert(edited_line, 'the edit\'s text "' .. from .. '" is not in ' .. file)
  result.modified = vim.bo[buf].modified
  result.diagnostics = diagnostics_of(buf)

  -- Stop the server the way Neovim does at exit (shutdown, exit) and see that it goes.
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return exited end, 20)
  result.ok = true
end

local ok, err = pcall(main)
if not ok then result.error = tostring(err) end
emit()
if ok then vim.cmd('qa!') else vim.cmd('cquit 1') end
