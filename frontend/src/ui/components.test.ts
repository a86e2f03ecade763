import { h, render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { t } from '../i18n';
import { SheetActions } from './components';

const root = document.createElement('div');
const buttons = () => Array.from(root.querySelectorAll<HTMLButtonElement>('.sheet-actions > button'));

afterEach(() => render(null, root));

describe('SheetActions', () => {
  it('submits the form with the confirm button; busy disables it and says "sending"', () => {
    // given
    const onCancel = vi.fn();
    render(h(SheetActions, { onCancel, confirm: 'Save' }), root);
    const [cancel, confirm] = buttons();
    // then
    expect([cancel.type, cancel.className, cancel.textContent]).toEqual(['button', 'btn-secondary', t('common.cancel')]);
    expect([confirm.type, confirm.className, confirm.textContent, confirm.disabled]).toEqual(['submit', 'btn-primary', 'Save', false]);
    cancel.click();
    expect(onCancel).toHaveBeenCalledOnce();
    // when busy
    render(h(SheetActions, { onCancel, confirm: 'Save', busy: true }), root);
    // then
    expect([buttons()[1].textContent, buttons()[1].disabled]).toEqual([t('wo.sending'), true]);
  });

  it('disabled keeps the label; onConfirm makes a plain button; danger styles it', () => {
    // given
    const onConfirm = vi.fn();
    render(h(SheetActions, { onCancel: () => {}, confirm: 'Close', danger: true, disabled: true, onConfirm }), root);
    const confirm = buttons()[1];
    // then
    expect([confirm.type, confirm.className, confirm.textContent, confirm.disabled]).toEqual(['button', 'btn-danger', 'Close', true]);
    // when enabled and clicked
    render(h(SheetActions, { onCancel: () => {}, confirm: 'Close', danger: true, onConfirm }), root);
    buttons()[1].click();
    // then
    expect(onConfirm).toHaveBeenCalledOnce();
  });

  it('without confirm shows only the cancel button, with its own label when given', () => {
    render(h(SheetActions, { onCancel: () => {}, cancel: 'Back' }), root);
    expect(buttons().map((b) => b.textContent)).toEqual(['Back']);
  });
});
