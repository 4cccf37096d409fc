// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { SweepsPage } from '../src/pages/SweepsPage.js';

/** A stand-in API answering the sweep list (empty) and refusing POST /v1/sweeps with the API's 400 body. */
function fakeApi(requests: { method: string; url: string; body: unknown }[]) {
  globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    requests.push({
      method: init?.method ?? 'GET',
      url: url.pathname,
      body: init?.body && JSON.parse(String(init.body)),
    });
    if (init?.method === 'POST') {
      const issues = [
        { path: 'epochs', message: 'Too big: expected number to be <=100' },
        { path: 'grid.learningRate.1', message: 'Too big: expected number to be <=10' },
      ];
      return Response.json(
        { error: { code: 'invalid_request', message: 'epochs: too big', details: { issues } } },
        { status: 400 },
      );
    }
    return Response.json({ sweeps: [], total: 0 });
  };
}

const settle = () => act(() => new Promise((r) => setTimeout(r, 20)));

describe('SweepsPage', () => {
  const root = document.createElement('div');
  document.body.append(root);
  afterEach(() => render(null, root));

  it("shows the API's 400 messages next to the fields they name, and marks those fields invalid", async () => {
    const requests: { method: string; url: string; body: unknown }[] = [];
    fakeApi(requests);
    await act(() => render(<SweepsPage offset={0} />, root));
    await settle();
    expect(root.textContent).toContain('No sweeps yet');

    const epochs = root.querySelector<HTMLInputElement>('#sweep-epochs');
    const name = root.querySelector<HTMLInputElement>('#sweep-name');
    const grid = root.querySelector<HTMLInputElement>('#sweep-grid\\.learningRate');
    if (!epochs || !name || !grid) throw new Error('form fields missing');
    await act(() => {
      name.value = 'x';
      name.dispatchEvent(new Event('input', { bubbles: true }));
      epochs.value = '1000';
      epochs.dispatchEvent(new Event('input', { bubbles: true }));
      grid.value = '0.001, 50';
      grid.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(() => {
      root.querySelector('form')?.dispatchEvent(new Event('submit', { cancelable: true }));
    });
    await settle();

    const post = requests.find((r) => r.method === 'POST');
    expect(post?.body).toMatchObject({ name: 'x', epochs: 1000, grid: { learningRate: [0.001, 50] } });
    expect(root.querySelector('#sweep-epochs-error')?.textContent).toBe(
      'Too big: expected number to be <=100',
    );
    expect(epochs.getAttribute('aria-invalid')).toBe('true');
    expect(epochs.getAttribute('aria-describedby')).toBe('sweep-epochs-error');
    expect(root.querySelector('#sweep-grid\\.learningRate-error')?.textContent).toBe(
      'grid.learningRate.1: Too big: expected number to be <=10',
    );
    expect(name.getAttribute('aria-invalid')).toBeNull();
  });
});
