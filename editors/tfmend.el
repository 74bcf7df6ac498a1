;;; tfmend.el --- tfmend (TensorFlow 1.x / Keras 2 migration) for Eglot and lsp-mode  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1"))
;; Keywords: languages, tools
;; SPDX-License-Identifier: Apache-2.0

;;; Commentary:

;; Runs the tfmend language server (`tfmend serve') in Python buffers through Eglot (built into
;; Emacs 29+, `elpa-eglot' / `M-x package-install eglot' on Emacs 28) or lsp-mode, and adds two
;; commands:
;;
;;   M-x tfmend-fix-all       apply every tfmend fix in the buffer (source.fixAll.tfmend)
;;   M-x tfmend-validate-fix  run the old and the fixed code at point with your TensorFlow
;;
;; Eglot:
;;   (require 'tfmend)
;;   (tfmend-eglot-setup)                   ; then M-x eglot in a Python buffer
;;   (add-hook 'python-mode-hook #'eglot-ensure)   ; optional: start it automatically
;;
;; lsp-mode (tfmend runs as an add-on next to your usual Python server):
;;   (require 'tfmend)
;;   (with-eval-after-load 'lsp-mode (tfmend-lsp-mode-setup))
;;
;; Quick fixes are the editor's own: `eglot-code-actions' / `lsp-execute-code-action'.

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defgroup tfmend nil
  "Find, fix and validate TensorFlow 1.x / Keras 2 code that breaks on TF 2 / Keras 3."
  :group 'tools
  :prefix "tfmend-")

(defcustom tfmend-server-command '("tfmend" "serve")
  "The command that runs the tfmend language server.
For a virtual environment:
  (\"/path/to/venv/bin/python\" \"-m\" \"tfmend\" \"serve\")"
  :type '(repeat string))

(defcustom tfmend-settings nil
  "Settings sent to the server, as a plist.
The keys are the VS Code settings without `tfmend.', for example
  (:select [\"TFM4\"] :unsafeFixes t :validation (:timeout 60))."
  :type 'plist)

(defconst tfmend--fix-all-kind "source.fixAll.tfmend")
(defconst tfmend--validate-command "tfmend.validateFix")
(defconst tfmend--modes '(python-mode python-ts-mode))

(defun tfmend--describe (result)
  "A one-line text for the RESULT of tfmend.validateFix.
RESULT is a plist (:status :summary :message ...): the server's `:summary' is the verdict,
shown as it is; without one, the status and message."
  (cond
   ((null result) "tfmend: there is no fix at point to validate")
   ((stringp result) (concat "tfmend: " result))
   ((and (listp result) (keywordp (car result)))
    (let ((summary (plist-get result :summary))
          (message (plist-get result :message)))
      (if (and (stringp summary) (not (string-empty-p summary)))
          (concat "tfmend: " summary)
        (format "tfmend: validation %s%s" (or (plist-get result :status) "finished")
                (if (and (stringp message) (not (string-empty-p message)))
                    (concat ": " message)
                  "")))))
   (t (format "tfmend: %S" result))))

;;;; Eglot

(declare-function eglot-current-server "eglot")
(declare-function eglot--current-server-or-lose "eglot")
(declare-function eglot--TextDocumentIdentifier "eglot")
(declare-function eglot--pos-to-lsp-position "eglot")
(declare-function eglot-code-actions "eglot")
(declare-function jsonrpc-async-request "jsonrpc")
(defvar jsonrpc-default-request-timeout) ; jsonrpc.el: bound dynamically around a request
(defvar eglot-server-programs)

;;;###autoload
(defun tfmend--settings ()
  "`tfmend-settings', or an empty JSON object."
  (or tfmend-settings (make-hash-table)))

;;;###autoload
(defun tfmend-eglot-setup ()
  "Make Eglot run tfmend for Python buffers.
It then replaces Eglot's default Python server in those buffers."
  (require 'eglot)
  (add-to-list 'eglot-server-programs
               `(,tfmend--modes . (,@tfmend-server-command
                                   :initializationOptions ,(tfmend--settings))))
  (advice-add 'eglot-execute-command :around #'tfmend--execute-command))

(defun tfmend--execute-command (execute server command arguments)
  "Run the \"Validate this fix\" code action's command in the background.
Eglot waits for the answer to a command, and validation imports TensorFlow:
Emacs would freeze for seconds, and jsonrpc's 10 s timeout could cut it short.
The verdict is the server's message.  Other commands go to EXECUTE with SERVER,
COMMAND and ARGUMENTS."
  (if (not (equal (format "%s" command) tfmend--validate-command))
      (funcall execute server command arguments)
    (let* ((target (and (> (length arguments) 0) (aref arguments 0)))
           (start (plist-get (plist-get target :range) :start))
           (line (1+ (or (plist-get start :line) 0))))
      (tfmend--eglot-validate server arguments #'ignore #'tfmend--validation-failed)
      (tfmend--say-validating line line)
      nil)))

(defun tfmend--eglot-validate (server arguments done failed)
  "Send tfmend.validateFix with ARGUMENTS to SERVER; DONE or FAILED later."
  (jsonrpc-async-request
   server :workspace/executeCommand
   `(:command ,tfmend--validate-command :arguments ,arguments)
   :success-fn done
   :error-fn failed
   :timeout 600
   :timeout-fn (lambda () (funcall failed "no answer within 600 s"))))

(defun tfmend--validation-failed (error)
  "Say that the validation request failed with ERROR."
  (message "tfmend: validation failed: %s" (or (and (listp error) (plist-get error :message)) error)))

(defun tfmend--say-validating (first last)
  "Say, in the echo area only, that the fixes in lines FIRST to LAST are validated."
  ;; Not logged in *Messages*: the verdict that follows is the one entry there.
  (let ((message-log-max nil))
    (message (if (= first last)
                 "tfmend: validating the fix on line %d… (in the background)"
               "tfmend: validating the fixes in lines %d-%d… (in the background)")
             first last)))

(defun tfmend--region ()
  "The region, or the position of point, as (BEG . END)."
  (if (use-region-p)
      (cons (region-beginning) (region-end))
    (cons (point) (point))))

;;;###autoload
(defun tfmend-fix-all ()
  "Apply every tfmend fix in the buffer (the source.fixAll.tfmend code action)."
  (interactive)
  (cond
   ((and (fboundp 'eglot-current-server) (eglot-current-server))
    ;; With nothing to apply Eglot signals "No ... code actions here"; the server has already
    ;; said what it left (unsafe fixes), which that error would bury. Any other error is shown.
    ;; Fixing a big file on a busy machine can take longer than jsonrpc's 10 s default.
    (condition-case err
        (let ((jsonrpc-default-request-timeout (max 60 (bound-and-true-p
                                                        jsonrpc-default-request-timeout))))
          (eglot-code-actions (point-min) (point-max) tfmend--fix-all-kind t))
      (error
       (let ((text (error-message-string err)))
         (cond
          ((not (string-match-p "code actions here" text))
           (message "tfmend: fix all failed: %s" text))
          ((not (string-match-p "tfmend: Fix all" (or (current-message) "")))
           (message "tfmend: nothing to fix in this buffer")))))))
   ((and (fboundp 'lsp-workspaces) (lsp-workspaces))
    (lsp-execute-code-action-by-kind tfmend--fix-all-kind))
   (t (user-error "tfmend: no language server in this buffer"))))

;;;###autoload
(defun tfmend-validate-fix (&optional beg end callback)
  "Validate the tfmend fix at point (or between BEG and END) with your TensorFlow.
The request runs in the background (validation imports TensorFlow: seconds):
Emacs stays usable, the echo area says it is running, and the verdict is one
message, the server's window/showMessage.  CALLBACK, when given, is called with
the server's result."
  (interactive (let ((r (tfmend--region))) (list (car r) (cdr r))))
  (let* ((beg (or beg (point)))
         (end (or end beg))
         (first (line-number-at-pos beg))
         (last (line-number-at-pos end))
         (done (lambda (result)
                 ;; The server shows its verdict (`:summary') itself: say it only without one.
                 (unless (and (listp result) (plist-get result :summary))
                   (message "%s" (tfmend--describe result)))
                 (when callback (funcall callback result))))
         (failed (lambda (error)
                   (tfmend--validation-failed error)
                   (when callback (funcall callback nil)))))
    (cond
     ((and (fboundp 'eglot-current-server) (eglot-current-server))
      (tfmend--eglot-validate
       (eglot--current-server-or-lose)
       `[(:uri ,(plist-get (eglot--TextDocumentIdentifier) :uri)
          :range (:start ,(eglot--pos-to-lsp-position beg)
                  :end ,(eglot--pos-to-lsp-position end)))]
       done failed))
     ((and (fboundp 'lsp-workspaces) (lsp-workspaces))
      (tfmend--lsp-mode-validate beg end done failed))
     (t (user-error "tfmend: no language server in this buffer")))
    (tfmend--say-validating first last)
    nil))

;;;; lsp-mode

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")
(declare-function lsp-request-async "lsp-mode")
(declare-function lsp-execute-code-action-by-kind "lsp-mode")
(declare-function lsp-workspaces "lsp-mode")
(declare-function lsp--text-document-identifier "lsp-mode")
(declare-function lsp--point-to-position "lsp-mode")

(defun tfmend--lsp-mode-validate (beg end done failed)
  "Send tfmend.validateFix through lsp-mode for BEG..END; call DONE or FAILED."
  (lsp-request-async "workspace/executeCommand"
                     `(:command ,tfmend--validate-command
                       :arguments [(:uri ,(gethash "uri" (lsp--text-document-identifier))
                                    :range (:start ,(lsp--point-to-position beg)
                                            :end ,(lsp--point-to-position end)))])
                     done
                     :error-handler failed))

;;;###autoload
(defun tfmend-lsp-mode-setup ()
  "Register tfmend with lsp-mode as an add-on server for Python buffers."
  (require 'lsp-mode)
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () tfmend-server-command))
    :activation-fn (lsp-activate-on "python")
    :server-id 'tfmend
    :add-on? t
    :priority -2
    :initialization-options (lambda () (tfmend--settings)))))

(provide 'tfmend)
;;; tfmend.el ends here
