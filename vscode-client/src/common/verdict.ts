/**
 * Runs a validation with a progress notification and shows its verdict, for both ways of asking:
 * the palette's Validate Fix at Cursor and the light bulb's "Validate this fix".
 */

import { CancellationToken, LogOutputChannel, ProgressLocation, window } from 'vscode';
import { describeValidation, progressTitle } from './messages';

export async function validateWithVerdict(
    lines: readonly [number, number] | undefined,
    run: (token: CancellationToken) => Promise<unknown>,
    logChannel: LogOutputChannel,
): Promise<unknown> {
    let result: unknown;
    try {
        result = await window.withProgress(
            { location: ProgressLocation.Notification, title: progressTitle(lines), cancellable: true },
            (_progress, token) => run(token),
        );
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        logChannel.error(`Validation failed: ${message}`);
        void window.showErrorMessage(`tfmend: validation failed: ${message}`, 'Show Output').then((c) => c && logChannel.show());
        return undefined;
    }
    logChannel.info(`Validation result: ${JSON.stringify(result)}`);
    const notice = describeValidation(result);
    const show =
        notice.severity === 'error'
            ? window.showErrorMessage
            : notice.severity === 'warning'
              ? window.showWarningMessage
              : window.showInformationMessage;
    // Not awaited: the caller (a code action's command) must not wait for the user's answer.
    void show(notice.text, 'Show Output').then((choice) => choice && logChannel.show());
    return result;
}
