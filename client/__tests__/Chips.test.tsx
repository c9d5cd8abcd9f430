import { useState } from 'react';

import { Chips } from '../src/components/Chips';
import { NewTicketScreen } from '../src/screens/NewTicket/NewTicketScreen';
import { renderScreen, renderWithApp } from './helpers/render';
import { isChecked, press, queryTestId, textOf } from './helpers/ui';

function Filter() {
  const [value, setValue] = useState<'any' | 'open'>('any');
  return (
    <Chips
      testID="filter"
      label="Status"
      value={value}
      onChange={setValue}
      options={[
        { value: 'any', label: 'Any' },
        { value: 'open', label: 'Open' },
      ]}
    />
  );
}

describe('Chips', () => {
  it('tell assistive technology which option is selected', async () => {
    await renderWithApp(<Filter />);
    expect(isChecked('filter-any')).toBe(true);
    expect(isChecked('filter-open')).toBe(false);
    await press('filter-open');
    expect(isChecked('filter-any')).toBe(false);
    expect(isChecked('filter-open')).toBe(true);
    expect(queryTestId('filter-label')).toBeNull();
  });

  it('the new ticket form names its priority choice', async () => {
    await renderScreen(NewTicketScreen);
    expect(textOf('new-ticket-priority-label')).toBe('Priority');
    expect(isChecked('new-ticket-priority-medium')).toBe(true);
  });
});
