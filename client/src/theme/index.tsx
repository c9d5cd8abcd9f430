import { createContext, useContext, type ReactNode } from 'react';
import { useColorScheme } from 'react-native';

export interface Theme {
  dark: boolean;
  colors: {
    background: string;
    surface: string;
    surfaceAlt: string;
    text: string;
    textMuted: string;
    border: string;
    primary: string;
    onPrimary: string;
    danger: string;
    warning: string;
    success: string;
    bubbleMine: string;
    onBubbleMine: string;
    bubbleOther: string;
    note: string;
    noteBorder: string;
    bannerOffline: string;
    onBanner: string;
  };
  spacing: (n: number) => number;
  radius: number;
}

const spacing = (n: number) => n * 4;

export const lightTheme: Theme = {
  dark: false,
  colors: {
    background: '#f5f6f8',
    surface: '#ffffff',
    surfaceAlt: '#eceef2',
    text: '#14161a',
    textMuted: '#5c6370',
    border: '#d5d9e0',
    primary: '#2f5bea',
    onPrimary: '#ffffff',
    danger: '#c62828',
    warning: '#b26a00',
    success: '#2e7d32',
    bubbleMine: '#2f5bea',
    onBubbleMine: '#ffffff',
    bubbleOther: '#ffffff',
    note: '#fff4d6',
    noteBorder: '#e0b43c',
    bannerOffline: '#5c6370',
    onBanner: '#ffffff',
  },
  spacing,
  radius: 10,
};

export const darkTheme: Theme = {
  dark: true,
  colors: {
    background: '#0f1115',
    surface: '#181b21',
    surfaceAlt: '#232731',
    text: '#eef0f4',
    textMuted: '#9aa3b2',
    border: '#2f3440',
    primary: '#6f8fff',
    onPrimary: '#0b0d12',
    danger: '#ef6b6b',
    warning: '#f0b24a',
    success: '#6cc070',
    bubbleMine: '#3b5fd8',
    onBubbleMine: '#ffffff',
    bubbleOther: '#232731',
    note: '#3a3120',
    noteBorder: '#b08a2c',
    bannerOffline: '#3b404c',
    onBanner: '#ffffff',
  },
  spacing,
  radius: 10,
};

const ThemeContext = createContext<Theme>(lightTheme);

/** Follows the system's light/dark setting (`override` is for tests and previews). */
export function ThemeProvider({
  children,
  override,
}: {
  children: ReactNode;
  override?: 'light' | 'dark';
}) {
  const scheme = useColorScheme();
  const mode = override ?? (scheme === 'dark' ? 'dark' : 'light');
  return (
    <ThemeContext.Provider value={mode === 'dark' ? darkTheme : lightTheme}>
      {children}
    </ThemeContext.Provider>
  );
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
