/** The status bar item: server state and the TensorFlow version of the interpreter. */

import { Disposable, StatusBarAlignment, StatusBarItem, ThemeColor, window } from 'vscode';
import { StatusInfo, statusText, statusTooltip } from './messages';

export class Status implements Disposable {
    private readonly item: StatusBarItem;
    private info: StatusInfo = { state: 'stopped' };

    constructor() {
        this.item = window.createStatusBarItem('tfmend.status', StatusBarAlignment.Right, 100);
        this.item.name = 'tfmend';
        this.item.command = 'tfmend.showOutput';
        this.render();
        this.item.show();
    }

    /** Merges `update` into what is shown. */
    update(update: Partial<StatusInfo>): void {
        this.info = { ...this.info, ...update };
        this.render();
    }

    get current(): StatusInfo {
        return this.info;
    }

    private render(): void {
        this.item.text = statusText(this.info);
        this.item.tooltip = statusTooltip(this.info);
        this.item.backgroundColor =
            this.info.state === 'error' ? new ThemeColor('statusBarItem.errorBackground') : undefined;
    }

    dispose(): void {
        this.item.dispose();
    }
}
