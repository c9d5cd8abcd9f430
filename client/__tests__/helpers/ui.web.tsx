/** Web: the DOM that react-native-web renders, through Testing Library for the DOM. */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactElement } from 'react';

export async function renderUi(ui: ReactElement): Promise<void> {
  await act(async () => {
    render(ui);
  });
}

export const byTestId = (id: string) => screen.getByTestId(id);
export const queryTestId = (id: string) => screen.queryByTestId(id);
export const findTestId = (id: string) => screen.findByTestId(id, {}, { timeout: 3000 });
export const queryByText = (text: RegExp) => screen.queryByText(text);
export const byLabel = (label: string) => screen.getByLabelText(label);

export async function press(id: string): Promise<void> {
  await act(async () => {
    fireEvent.click(screen.getByTestId(id));
  });
}

export async function typeInto(id: string, text: string): Promise<void> {
  await act(async () => {
    fireEvent.change(screen.getByTestId(id), { target: { value: text } });
  });
}

export function textOf(id: string): string {
  return screen.getByTestId(id).textContent ?? '';
}

/** Scrolls a list or scroll view to `y` (for inverted lists: the distance from the newest end). */
export async function scrollTo(id: string, y: number): Promise<void> {
  await act(async () => {
    const el = screen.getByTestId(id);
    el.scrollTop = y;
    fireEvent.scroll(el);
  });
}

/** A key pressed in a text field. */
export async function pressKey(id: string, key: string, opts: { shift?: boolean } = {}) {
  await act(async () => {
    fireEvent.keyDown(screen.getByTestId(id), { key, shiftKey: !!opts.shift });
  });
}

export const textsByRole = (role: 'link' | 'button') =>
  screen.queryAllByRole(role).map((el) => el.textContent ?? '');

/** The checked state assistive technology gets (a radio's aria-checked / accessibilityState). */
export function isChecked(id: string): boolean {
  return screen.getByTestId(id).getAttribute('aria-checked') === 'true';
}

/** A key pressed on the page, or on an element (it bubbles to the document). */
export async function keyDown(key: string, onTestId?: string): Promise<void> {
  await act(async () => {
    fireEvent.keyDown(onTestId ? screen.getByTestId(onTestId) : document.body, { key });
  });
}

export function hasFocus(id: string): boolean {
  return document.activeElement === screen.getByTestId(id);
}

/** The browser window's width: the workspace appears at 1024 px and above. */
export async function setWindowWidth(width: number): Promise<void> {
  await act(async () => {
    // react-native-web measures the document element (jsdom has no visual viewport).
    Object.defineProperty(document.documentElement, 'clientWidth', {
      configurable: true,
      value: width,
    });
    window.dispatchEvent(new Event('resize'));
  });
}

export function isMultiline(id: string): boolean {
  return screen.getByTestId(id).tagName === 'TEXTAREA';
}

export function isDisabled(id: string): boolean {
  const el = screen.getByTestId(id);
  return el.getAttribute('aria-disabled') === 'true' || (el as HTMLButtonElement).disabled === true;
}

/** A text field's current value. */
export function valueOf(id: string): string {
  return (screen.getByTestId(id) as HTMLInputElement | HTMLTextAreaElement).value;
}

/** The highlighted item of a list (aria-selected). */
export function isSelected(id: string): boolean {
  return screen.getByTestId(id).getAttribute('aria-selected') === 'true';
}

/** Opens a message's actions as a web user does: the button shown on hover. */
export async function openMessageActions(id: string): Promise<void> {
  await act(async () => {
    fireEvent.click(screen.getByTestId(`${id}-actions`));
  });
}

export { act, waitFor };
