import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeValidation, fixAllLeft, fixAllSummary, progressTitle, rangeLines, statusText, statusTooltip } from '../common/messages';

describe('describeValidation', () => {
    it('shows a passed validation as information', () => {
        assert.deepEqual(describeValidation({ status: 'passed', code: 'TFM401', detail: 'old and new agree on values' }), {
            severity: 'info',
            text: 'tfmend: validation passed (TFM401): old and new agree on values',
        });
    });
    it('shows a failed one as an error, and skipped as a warning', () => {
        assert.equal(describeValidation({ status: 'failed', message: 'old and new differ' }).severity, 'error');
        assert.equal(describeValidation({ status: 'skipped', detail: 'no oracle' }).severity, 'warning');
        assert.equal(describeValidation({ ok: false, summary: 'x' }).text, 'tfmend: x');
    });
    it("shows the server's verdict as it is, not a rendering of its checks", () => {
        const verdict = 'validation passed for the fix in a.py: 1 check run: 1 passed, 0 failed';
        const passed = describeValidation({
            status: 'passed',
            file: '/p/a.py',
            summary: verdict,
            checks: [{ rule: 'TFM401', kind: 'probe', status: 'passed', detail: 'old and new agree' }],
            tensorflow: '2.21.0',
            keras: '3.15.1',
        });
        assert.deepEqual(passed, { severity: 'info', text: `tfmend: ${verdict}` });
        const failed = describeValidation({
            status: 'failed',
            summary: 'validation failed for the fix in a.py: 1 check run: 0 passed, 1 failed; TFM502 line 3: differ',
            checks: [{ rule: 'TFM502', status: 'failed', detail: 'old and new differ: values\nmore' }],
        });
        assert.deepEqual(failed, {
            severity: 'error',
            text: 'tfmend: validation failed for the fix in a.py: 1 check run: 0 passed, 1 failed; TFM502 line 3: differ',
        });
        const error = describeValidation({ status: 'error', message: 'validation needs a file saved on disk', checks: [] });
        assert.deepEqual(error, { severity: 'error', text: 'tfmend: validation error: validation needs a file saved on disk' });
    });
    it('shows "no fix here" as information, an incomplete validation as a warning', () => {
        const unchecked = describeValidation({ status: 'unchecked', summary: 'validation incomplete for the fix in a.py: 1 check run: 1 passed, 0 failed; not checked: TFM1 line 3: no runtime check for this rule' });
        assert.equal(unchecked.severity, 'warning');
        assert.match(unchecked.text, /^tfmend: validation incomplete .*no runtime check for this rule$/);
        const noFix = describeValidation({ status: 'error', reason: 'no-fix', summary: 'cannot validate a.py: nothing to validate: no fixable finding in /p/a.py on line 16' });
        assert.deepEqual(noFix, { severity: 'info', text: 'tfmend: cannot validate a.py: nothing to validate: no fixable finding in /p/a.py on line 16' });
        assert.equal(describeValidation({ status: 'error', reason: 'cannot', summary: 'cannot validate a.py: no TensorFlow' }).severity, 'error');
    });
    it('names the lines being validated', () => {
        assert.equal(progressTitle([8, 8]), 'tfmend: validating the fix on line 8…');
        assert.equal(progressTitle([8, 12]), 'tfmend: validating the fixes in lines 8-12…');
        assert.equal(progressTitle(undefined), 'tfmend: validating the fixes in the file…');
        assert.deepEqual(rangeLines([{ uri: 'file:///a.py', range: { start: { line: 7, character: 0 }, end: { line: 11, character: 3 } } }]), [8, 12]);
        assert.equal(rangeLines([{ uri: 'file:///a.py' }]), undefined);
    });
    it('handles nothing, strings, lists and unknown shapes', () => {
        assert.match(describeValidation(null).text, /no fix at the cursor/);
        assert.equal(describeValidation('done').text, 'tfmend: done');
        const list = describeValidation([{ status: 'passed' }, { status: 'failed', detail: 'boom' }]);
        assert.deepEqual(list, { severity: 'error', text: 'tfmend: validation passed | validation failed: boom' });
        assert.equal(describeValidation({ weird: 1 }).text, 'tfmend: {"weird":1}');
    });
});

describe('status item', () => {
    it('shows the state and TensorFlow version', () => {
        assert.equal(statusText({ state: 'running', tensorflow: '2.21.0' }), '$(check) tfmend · TF 2.21.0');
        assert.equal(statusText({ state: 'running', tensorflow: null }), '$(check) tfmend · no TF');
        assert.equal(statusText({ state: 'starting' }), '$(loading~spin) tfmend');
        assert.equal(statusText({ state: 'error', tensorflow: '2.21.0' }), '$(error) tfmend');
    });
    it('explains itself in the tooltip', () => {
        const tip = statusTooltip({ state: 'running', tensorflow: null, keras: '3.1.0', interpreter: '/v/bin/python', tfmend: '0.1.0' });
        assert.match(tip, /TensorFlow: not installed \(validation unavailable\)/);
        assert.match(tip, /Interpreter: \/v\/bin\/python/);
        assert.doesNotMatch(tip, /Restricted Mode/);
        assert.match(statusTooltip({ state: 'running', restricted: true }), /Restricted Mode: .* ignored; validation is off/);
    });
});

describe('Fix All summary', () => {
    it('reads what the titles say they leave', () => {
        assert.deepEqual(fixAllLeft(['Fix all tfmend issues (skips 1 unsafe fix: validate it, or set unsafeFixes)']), { unsafe: 1, manual: 0 });
        assert.deepEqual(
            fixAllLeft(['Fix all tfmend issues (skips 3 unsafe fixes: validate them, or set unsafeFixes; 2 findings have no automatic fix)']),
            { unsafe: 3, manual: 2 },
        );
        assert.deepEqual(fixAllLeft(['Fix all tfmend issues (1 finding has no automatic fix)']), { unsafe: 0, manual: 1 });
        assert.deepEqual(fixAllLeft(['Fix all tfmend issues']), { unsafe: 0, manual: 0 });
    });
    it('says what was left and how to apply it', () => {
        assert.equal(
            fixAllSummary({ unsafe: 1, manual: 0 }),
            'tfmend: Fix All applied the safe fixes and left 1 unsafe fix (they may change behaviour): validate it ' +
                'with "tfmend: Validate Fix at Cursor", or set "tfmend.unsafeFixes" to apply it too.',
        );
        assert.match(fixAllSummary({ unsafe: 2, manual: 0 }), /left 2 unsafe fixes .* validate them/);
        assert.equal(
            fixAllSummary({ unsafe: 1, manual: 1 }),
            'tfmend: Fix All applied the safe fixes and left 1 unsafe fix (they may change behaviour) and 1 finding ' +
                'with no automatic fix: validate it with "tfmend: Validate Fix at Cursor", or set "tfmend.unsafeFixes" ' +
                'to apply it too; the Problems panel lists what to change by hand.',
        );
        assert.equal(
            fixAllSummary({ unsafe: 0, manual: 2 }),
            'tfmend: Fix All applied the safe fixes and left 2 findings with no automatic fix: the Problems panel ' +
                'lists what to change by hand.',
        );
    });
});
