" Vim + ALE test of the linter definition in docs/editors/vim.md against the real tfmend server.
" Run by tests/editors/test_editor_vim.py:  vim -N -u NONE -i NONE -es -S vim_ale_test.vim
" Env: TFMEND_VIMRC (the docs page's ~/.vimrc lines), TFMEND_FILE, TFMEND_MIXED (a file with a
" safe fix, an unsafe one and a finding without a fix), TFMEND_RESULT (a JSON report).
" Exit status 0 = every step passed.
let s:t0 = reltime()
let s:report = {'steps': [], 'messages': []}
function! s:Log(text) abort
  let l:line = printf('[%6d ms] %s', float2nr(reltimefloat(reltime(s:t0)) * 1000), a:text)
  call add(s:report.steps, l:line)
endfunction
function! s:Save() abort
  call writefile([json_encode(s:report)], $TFMEND_RESULT)
endfunction
function! s:Fail(text) abort
  let s:report.error = a:text
  call s:Save()
  cquit 1
endfunction
" Runs the event loop until a:cond (an expression) is true or a:ms pass.
function! s:Wait(ms, cond) abort
  let l:start = reltime()
  while !eval(a:cond) && reltimefloat(reltime(l:start)) * 1000 < a:ms
    sleep 20m
  endwhile
  return eval(a:cond)
endfunction
function! s:TfmendProblems() abort
  return filter(copy(ale#engine#GetLoclist(bufnr(''))), 'v:val.linter_name is# ''tfmend''')
endfunction
function! s:Text() abort
  return join(getline(1, '$'), "\n")
endfunction

set nocompatible
set runtimepath^=/usr/share/vim-ale
let g:ale_echo_cursor = 0
runtime plugin/ale.vim

" -- the ~/.vimrc lines of docs/editors/vim.md, with the server command of the test --
execute 'source' fnameescape($TFMEND_VIMRC)

" ALE asks which code action to apply with ale#util#Input(); answer like a user who reads the
" menu and types the number of the wanted entry. Messages from the server (window/showMessage)
" go through ale#util#ShowMessage(); record them. An autoload function can only be redefined
" from a file named after it, so this writes autoload/ale/util.vim into a directory searched
" before ALE's: it sources ALE's own file, then replaces those two functions.
let s:want = ''
let s:menus = []
function! TfmendAnswer(message) abort
  call add(s:menus, a:message)
  for l:line in split(a:message, "\n")
    let l:m = matchlist(l:line, '^\(\d\+\)) \(.*\)$')
    if !empty(l:m) && l:m[2] =~# s:want
      return l:m[1]
    endif
  endfor
  return ''
endfunction
let s:override = tempname()
call mkdir(s:override . '/autoload/ale', 'p')
call writefile([
\   'source /usr/share/vim-ale/autoload/ale/util.vim',
\   'function! ale#util#Input(message, value, ...) abort',
\   '  return TfmendAnswer(a:message)',
\   'endfunction',
\   'function! ale#util#ShowMessage(string, ...) abort',
\   '  call TfmendShown(a:string)',
\   'endfunction',
\], s:override . '/autoload/ale/util.vim')
let &runtimepath = s:override . ',' . &runtimepath
function! TfmendShown(text) abort
  call add(s:report.messages, a:text)
endfunction
function! s:Messages() abort
  return join(s:report.messages, "\n")
endfunction

try
  execute 'edit' fnameescape($TFMEND_FILE)
  let s:report.vim = v:version
  call s:Log('opened ' . $TFMEND_FILE . ' filetype=' . &filetype)
  ALELint
  " 1. diagnostics
  if !s:Wait(30000, 'len(s:TfmendProblems()) >= 2')
    call s:Fail('fewer than 2 tfmend problems within 30 s: ' . string(ale#engine#GetLoclist(bufnr(''))))
  endif
  let s:problems = s:TfmendProblems()
  let s:report.diagnostics = map(copy(s:problems), '{''code'': get(v:val, ''code'', ''''), ''lnum'': v:val.lnum, ''col'': v:val.col, ''text'': v:val.text}')
  call s:Log(len(s:problems) . ' problems, first: ' . s:problems[0].text)

  " 2. :ALECodeAction -> "Validate this fix" (the server runs tfmend.validateFix)
  call cursor(s:problems[0].lnum, s:problems[0].col)
  let s:want = '^Validate this fix'
  ALECodeAction
  if !s:Wait(180000, 's:Messages() =~# ''validation''')
    call s:Fail('no validation message; menus: ' . string(s:menus) . ' messages: ' . s:Messages())
  endif
  call s:Wait(1000, 0) " a second message would come at once
  let s:report.validation = s:Messages()
  call s:Log('validation: ' . s:report.validation)

  " 3. :ALECodeAction -> "Fix all tfmend issues" (source.fixAll.tfmend)
  let s:want = '^Fix all tfmend issues'
  ALECodeAction
  if !s:Wait(20000, 's:Text() !~# ''\<K\.''')
    call s:Fail('fix-all not applied; menus: ' . string(s:menus) . "\n" . s:Text())
  endif
  call s:Log('fix-all applied')
  let s:report.menus = s:menus
  ALELint
  if !s:Wait(20000, 'empty(s:TfmendProblems())')
    call s:Fail('problems left after fix-all: ' . string(s:TfmendProblems()))
  endif
  call s:Log('no problems left')

  " 4. write
  write
  call s:Log('written')

  " 5. a file with a safe fix, an unsafe one and a finding without a fix: one problem per
  "    finding with its type, the code actions' titles, Fix all (its title says what it leaves),
  "    then the unsafe fix validated and Fix all again
  execute 'edit' fnameescape($TFMEND_MIXED)
  ALELint
  if !s:Wait(30000, 'len(s:TfmendProblems()) >= 3')
    call s:Fail('fewer than 3 tfmend problems in the mixed file: ' . string(ale#engine#GetLoclist(bufnr(''))))
  endif
  call s:Wait(500, 0)
  let s:report.mixed = map(s:TfmendProblems(), '{''code'': get(v:val, ''code'', ''''), ''lnum'': v:val.lnum, ''col'': v:val.col, ''type'': v:val.type}')
  let s:report.titles = {}
  let s:want = '^never$'
  for s:line in [8, 12, 16]
    call cursor(s:line, 12)
    let s:before = len(s:menus)
    ALECodeAction
    if !s:Wait(20000, 'len(s:menus) > s:before')
      call s:Fail('no code action menu on line ' . s:line)
    endif
    let s:report.titles[s:line] = s:menus[-1]
  endfor
  call s:Log('titles: ' . string(s:report.titles))
  call cursor(12, 12)
  let s:want = '^Fix all tfmend issues'
  ALECodeAction
  if !s:Wait(20000, 's:Text() !~# ''K\.sqrt''')
    call s:Fail('fix-all not applied in the mixed file: ' . s:Text())
  endif
  let s:report.fix_all_text = s:Text()
  let s:report.fix_all_menu = s:menus[-1]
  ALELint
  call s:Wait(2000, 0)
  let s:before = len(s:report.messages)
  let s:want = '^Validate this fix'
  ALECodeAction
  if !s:Wait(180000, 'len(s:report.messages) > s:before')
    call s:Fail('no verdict for the unsafe fix: ' . s:Messages())
  endif
  call s:Wait(1000, 0)
  let s:report.validated = s:report.messages[s:before :]
  let s:want = '^Fix all tfmend issues'
  ALECodeAction
  if !s:Wait(20000, 's:Text() !~# ''1, "best"''')
    call s:Fail('fix-all did not apply the validated fix: ' . s:Text())
  endif
  let s:report.fix_all_validated_text = s:Text()
  let s:report.fix_all_validated_menu = s:menus[-1]
  call s:Log('mixed file done')
  let s:report.passed = v:true
  call s:Save()
  call ale#lsp#StopAll()
  qall!
catch
  call s:Fail('error: ' . v:exception . ' at ' . v:throwpoint)
endtry
