;;; eglot_test.el --- batch Emacs/Eglot test of editors/tfmend.el against the real server  -*- lexical-binding: t -*-
;; Run by tests/editors/test_emacs.py:  emacs --batch -q -l eglot_test.el
;; Env: TFMEND_EL_DIR (editors/), TFMEND_CMD (JSON list: the server command), TFMEND_FILE,
;;      TFMEND_MIXED (a file with a safe fix, an unsafe one and a finding without a fix),
;;      TFMEND_RESULT (a JSON report written here).  Exit status 0 = every step passed.
(require 'cl-lib)
(require 'json)
(require 'flymake)
(add-to-list 'load-path (getenv "TFMEND_EL_DIR"))
(require 'eglot)
(require 'tfmend)

(defvar tt-t0 (float-time))
(defvar tt-report (list :steps nil))
(defun tt-log (fmt &rest args)
  (let ((line (format "[%6.0f ms] %s" (* 1000 (- (float-time) tt-t0)) (apply #'format fmt args))))
    (princ (concat line "\n"))
    (setq tt-report (plist-put tt-report :steps (append (plist-get tt-report :steps) (list line))))))
(defun tt-save ()
  (when (getenv "TFMEND_RESULT")
    (with-temp-file (getenv "TFMEND_RESULT")
      (insert (json-encode (cl-loop for (k v) on tt-report by #'cddr
                                    collect (cons (substring (symbol-name k) 1) (if (eq v t) t v))))))))
(defun tt-fail (fmt &rest args)
  (let ((msg (apply #'format fmt args)))
    (setq tt-report (plist-put tt-report :error msg))
    (tt-save)
    (princ (format "FAIL: %s\n" msg))
    (kill-emacs 1)))
(defun tt-wait (secs pred)
  "Run the event loop until PRED is non-nil or SECS elapse."
  (let ((end (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) end))
      (accept-process-output nil 0.05))
    (funcall pred)))
(defun tt-diagnostics ()
  (flymake-start)
  (cl-remove-if-not (lambda (d) (string-match-p "TFM[0-9]" (flymake-diagnostic-text d)))
                    (flymake-diagnostics)))

;; Every message, as *Messages* would log it (batch mode has no *Messages*); a message shown
;; with `message-log-max' nil is transient and not logged.
(defvar tt-messages nil)
(advice-add 'message :after
            (lambda (fmt &rest args)
              (when (and fmt message-log-max)
                (push (apply #'format-message fmt args) tt-messages))))
(defun tt-logged (regexp)
  (cl-remove-if-not (lambda (m) (string-match-p regexp m)) (reverse tt-messages)))
;; The transient ones (not logged), e.g. the progress line of a validation.
(defvar tt-transient nil)
(advice-add 'message :after
            (lambda (fmt &rest args)
              (when (and fmt (not message-log-max))
                (push (apply #'format-message fmt args) tt-transient))))
(defun tt-since (count)
  "The messages logged after the first COUNT, oldest first."
  (nthcdr count (reverse tt-messages)))
(defun tt-line-start (line)
  (save-excursion (goto-char (point-min)) (forward-line (1- line)) (point)))
(defun tt-line-end (line)
  (save-excursion (goto-char (point-min)) (forward-line (1- line)) (line-end-position)))
(defun tt-titles (line)
  "The titles of the code actions the server offers at the first finding on LINE."
  (let* ((beg (tt-line-start line))
         (actions (jsonrpc-request
                   (eglot--current-server-or-lose) :textDocument/codeAction
                   (list :textDocument (eglot--TextDocumentIdentifier)
                         :range (list :start (eglot--pos-to-lsp-position beg)
                                      :end (eglot--pos-to-lsp-position (tt-line-end line)))
                         :context (list :diagnostics [])))))
    (mapcar (lambda (a) (plist-get a :title)) actions)))
(defun tt-validate (beg end)
  "Validate between BEG and END; the messages logged until the result, and a second after."
  (let ((count (length tt-messages)) (result nil))
    (tfmend-validate-fix beg end (lambda (r) (setq result (or r :failed))))
    (unless (tt-wait 600 (lambda () result)) (tt-fail "no validation result"))
    (tt-wait 1 (lambda () nil)) ; a second message would come at once
    (tt-since count)))
(defun tt-fix-all (gone)
  "Fix all until GONE (a regexp) is not in the buffer; the messages it logged."
  (let ((count (length tt-messages)))
    (tfmend-fix-all)
    (unless (tt-wait 20 (lambda () (save-excursion (goto-char (point-min))
                                                   (not (re-search-forward gone nil t)))))
      (tt-fail "fix-all left %s:\n%s" gone (buffer-string)))
    (eglot--signal-textDocument/didChange)
    (tt-wait 1 (lambda () nil))
    (tt-since count)))

;; Never prompt in batch mode.
(setq eglot-confirm-server-initiated-edits nil)                                   ; eglot <= 1.15
(when (boundp 'eglot-confirm-server-edits) (setq eglot-confirm-server-edits nil)) ; eglot >= 1.16
(setq eglot-sync-connect t eglot-autoshutdown t)
(fset 'yes-or-no-p (lambda (&rest _) t))
(fset 'y-or-n-p (lambda (&rest _) t))

(condition-case err
    (let ((file (or (getenv "TFMEND_FILE") (tt-fail "TFMEND_FILE not set"))))
      (setq tfmend-server-command (append (json-read-from-string (getenv "TFMEND_CMD")) nil))
      (tfmend-eglot-setup)
      (find-file file)
      (setq tt-report (plist-put tt-report :emacs emacs-version))
      (tt-log "emacs %s opened %s in %s" emacs-version file major-mode)
      (apply #'eglot (eglot--guess-contact))
      (unless (eglot-current-server) (tt-fail "no server"))
      (tt-log "connected: %S" (eglot--server-info (eglot-current-server)))
      ;; 1. diagnostics -> Flymake
      (unless (tt-wait 30 (lambda () (>= (length (tt-diagnostics)) 2)))
        (tt-fail "fewer than 2 tfmend diagnostics within 30 s: %S"
                 (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
      (let* ((diags (sort (tt-diagnostics)
                          (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))
             (first (car diags)))
        (setq tt-report (plist-put tt-report :diagnostics (mapcar #'flymake-diagnostic-text diags)))
        (tt-log "%d diagnostics, first: %s" (length diags) (flymake-diagnostic-text first))
        ;; 2. M-x tfmend-validate-fix at the first finding (workspace/executeCommand)
        (goto-char (flymake-diagnostic-beg first))
        (let* ((result nil)
               (returned (tfmend-validate-fix nil nil (lambda (r) (setq result (or r :failed))))))
          ;; asynchronous: the command returns before the verdict, Emacs keeps running
          (setq tt-report (plist-put tt-report :returned-before-result (and (null returned) (null result) t)))
          (unless (tt-wait 600 (lambda () result))
            (tt-fail "no validation result"))
          (tt-wait 1 (lambda () nil)) ; a second verdict would come at once
          (let ((verdicts (tt-logged "tfmend: validat")))
            (setq tt-report (plist-put tt-report :verdicts verdicts))
            (setq tt-report (plist-put tt-report :validation (plist-get result :summary)))
            (tt-log "validation: %S" verdicts))))
      ;; 3. M-x tfmend-fix-all (eglot-code-actions with only = source.fixAll.tfmend)
      (tfmend-fix-all)
      (unless (tt-wait 20 (lambda () (save-excursion
                                       (goto-char (point-min))
                                       (not (search-forward "K." nil t)))))
        (tt-fail "fix-all not applied:\n%s" (buffer-string)))
      (tt-log "fix-all applied")
      ;; Eglot sends didChange from an idle timer, and idle timers never fire in --batch.
      (eglot--signal-textDocument/didChange)
      (unless (tt-wait 20 (lambda () (null (tt-diagnostics))))
        (tt-fail "diagnostics left after fix-all: %S" (mapcar #'flymake-diagnostic-text (tt-diagnostics))))
      (tt-log "no diagnostics left")
      ;; 4. save, shut the server down
      (save-buffer)
      (tt-log "saved")
      ;; 5. a file with a safe fix, an unsafe one and a finding without a fix: one diagnostic
      ;;    per finding with its severity, the code actions' titles, hover, validating where
      ;;    there is no fix and a region, and what Fix all says it left
      (find-file (getenv "TFMEND_MIXED"))
      (unless (tt-wait 30 (lambda () (>= (length (tt-diagnostics)) 3)))
        (tt-fail "fewer than 3 diagnostics in the mixed file: %S" (mapcar #'flymake-diagnostic-text (tt-diagnostics))))
      (tt-wait 0.5 (lambda () nil))
      (let ((diags (sort (tt-diagnostics)
                         (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b))))))
        (setq tt-report (plist-put tt-report :mixed-diagnostics
                                   (mapcar (lambda (d) (vector (line-number-at-pos (flymake-diagnostic-beg d))
                                                             (symbol-name (flymake-diagnostic-type d))
                                                             (flymake-diagnostic-text d)))
                                           diags))))
      (setq tt-report (plist-put tt-report :titles
                                 (mapcar (lambda (line) (cons (number-to-string line) (tt-titles line)))
                                         '(8 12 16))))
      (goto-char (+ (tt-line-start 8) 11))
      (setq tt-report (plist-put tt-report :hover
                                 (plist-get (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                                             (eglot--TextDocumentPositionParams))
                                            :contents)))
      (tt-log "mixed: %S" (plist-get tt-report :titles))
      ;; "Validate this fix" from Eglot's code-action menu: it returns at once (Eglot would wait
      ;; for the command's answer), and the verdict is logged once
      (goto-char (+ (tt-line-start 8) 11))
      (let ((count (length tt-messages)))
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt items &rest _)
                     (car (cl-find-if (lambda (i) (string-prefix-p "Validate this fix" (car i))) items)))))
          (let ((last-nonmenu-event 0)) ; a key, not a mouse click: the menu is completing-read
            (eglot-code-actions (point) nil nil t)))
        (setq tt-report (plist-put tt-report :menu-returned-before-verdict
                                   (and (null (tt-logged "validation passed for the fix in mixed")) t)))
        (unless (tt-wait 600 (lambda () (tt-logged "validation passed for the fix in mixed")))
          (tt-fail "no verdict for the menu's Validate this fix: %S" (tt-since count)))
        (tt-wait 1 (lambda () nil))
        (setq tt-report (plist-put tt-report :menu-validation (tt-since count))))
      ;; validating where there is no fix: one answer, information
      (setq tt-report (plist-put tt-report :no-fix (tt-validate (+ (tt-line-start 16) 11) nil)))
      ;; Fix all applies the safe fix and says what it left
      (setq tt-report (plist-put tt-report :fix-all (tt-fix-all "K\\.sqrt")))
      (setq tt-report (plist-put tt-report :fix-all-text (buffer-string)))
      ;; the unsafe fix validated from a region (the progress line names its lines): Fix all
      ;; then applies it too
      (let ((transient (length tt-transient)))
        (setq tt-report (plist-put tt-report :region (tt-validate (tt-line-start 8) (tt-line-end 12))))
        (setq tt-report (plist-put tt-report :region-progress (nthcdr transient (reverse tt-transient)))))
      (setq tt-report (plist-put tt-report :fix-all-validated (tt-fix-all "1, \"best\"")))
      (setq tt-report (plist-put tt-report :fix-all-validated-text (buffer-string)))
      (tt-log "fix all: %S then %S" (plist-get tt-report :fix-all) (plist-get tt-report :fix-all-validated))
      (eglot-shutdown (eglot-current-server))
      (tt-log "PASS")
      (setq tt-report (plist-put tt-report :passed t))
      (tt-save)
      (kill-emacs 0))
  (error (tt-fail "error: %S" err)))
