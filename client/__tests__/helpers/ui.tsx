/**
 * Platform-neutral render helpers. This file (Android) drives React Native Testing Library;
 * ui.web.tsx drives the DOM that react-native-web produces, so the same screen tests run on both.
 */
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import type { ReactElement } from 'react';

export async function renderUi(ui: ReactElement): Promise<void> {
  await render(ui);
}

export const byTestId = (id: string) => screen.getByTestId(id);
export const queryTestId = (id: string) => screen.queryByTestId(id);
export const findTestId = (id: string) => screen.findByTestId(id, {}, { timeout: 3000 });
export const queryByText = (text: RegExp) => screen.queryByText(text);
export const byLabel = (label: string) => screen.getByLabelText(label);

export async function press(id: string): Promise<void> {
  await fireEvent.press(screen.getByTestId(id));
}

export async function typeInto(id: string, text: string): Promise<void> {
  await fireEvent.changeText(screen.getByTestId(id), text);
}

/** All text under an element, joined. */
export function textOf(id: string): string {
  const collect = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const n = node as { children?: unknown[] } | null;
    return n?.children ? n.children.map(collect).join('') : '';
  };
  return collect(screen.getByTestId(id));
}

/** Scrolls a list or scroll view to `y` (for inverted lists: the distance from the newest end). */
export async function scrollTo(id: string, y: number): Promise<void> {
  await fireEvent.scroll(screen.getByTestId(id), {
    nativeEvent: {
      contentOffset: { x: 0, y },
      contentSize: { width: 400, height: 4000 },
      layoutMeasurement: { width: 400, height: 600 },
    },
  });
}

/** A key pressed in a text field (React Native reports only the key). */
export async function pressKey(id: string, key: string, _opts: { shift?: boolean } = {}) {
  await fireEvent(screen.getByTestId(id), 'keyPress', {
    nativeEvent: { key },
    preventDefault: () => undefined,
  });
}

export const textsByRole = (role: 'link' | 'button') =>
  screen.queryAllByRole(role).map((el) => {
    const collect = (node: unknown): string => {
      if (typeof node === 'string') return node;
      const n = node as { children?: unknown[] } | null;
      return n?.children ? n.children.map(collect).join('') : '';
    };
    return collect(el);
  });

/** The checked state assistive technology gets (a radio's aria-checked / accessibilityState). */
export function isChecked(id: string): boolean {
  return screen.getByTestId(id).props.accessibilityState?.checked === true;
}

/** A key pressed on the page (web keyboard shortcuts; React Native has none). */
export async function keyDown(_key: string, _onTestId?: string): Promise<void> {
  throw new Error('keyboard shortcuts are web only');
}

export function hasFocus(_id: string): boolean {
  throw new Error('web only');
}

/** The browser window's width (web layouts); a no-op on Android. */
export async function setWindowWidth(_width: number): Promise<void> {}

export function isMultiline(id: string): boolean {
  return screen.getByTestId(id).props.multiline === true;
}

export function isDisabled(id: string): boolean {
  const el = screen.getByTestId(id);
  return !!(
    el.props.accessibilityState?.disabled ||
    el.props['aria-disabled'] ||
    el.props.disabled
  );
}

/** A text field's current value. */
export function valueOf(id: string): string {
  return String(screen.getByTestId(id).props.value ?? '');
}

/** The highlighted item of a list (accessibilityState.selected). */
export function isSelected(id: string): boolean {
  return screen.getByTestId(id).props.accessibilityState?.selected === true;
}

/** Opens a message's actions as a phone user does: a long press on the bubble. */
export async function openMessageActions(id: string): Promise<void> {
  await fireEvent(screen.getByTestId(id), 'longPress');
}

export { act, waitFor };
