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

export function isDisabled(id: string): boolean {
  const el = screen.getByTestId(id);
  return el.getAttribute('aria-disabled') === 'true' || (el as HTMLButtonElement).disabled === true;
}

export { act, waitFor };
