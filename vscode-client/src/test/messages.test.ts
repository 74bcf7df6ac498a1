import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeValidation, fixAllSummary, skippedUnsafe, statusText, statusTooltip } from '../common/messages';

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
    it('reads what the titles say they skip', () => {
        assert.equal(skippedUnsafe(['Fix all tfmend issues (skips 1 unsafe fix: validate it, or set unsafeFixes)']), 1);
        assert.equal(skippedUnsafe(['Fix all tfmend issues (skips 3 unsafe fixes: validate them, or set unsafeFixes)']), 3);
        assert.equal(skippedUnsafe(['Fix all tfmend issues']), 0);
    });
    it('says what was left and how to apply it', () => {
        assert.equal(
            fixAllSummary(1),
            'tfmend: Fix All applied the safe fixes and left 1 unsafe fix (they may change behaviour): validate it ' +
                'with "tfmend: Validate Fix at Cursor", or set "tfmend.unsafeFixes" to apply it too.',
        );
        assert.match(fixAllSummary(2), /left 2 unsafe fixes .* validate them/);
    });
});
