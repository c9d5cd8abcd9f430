// "Do not disturb" times: typed as HH:MM, sent as minutes of the day with the device's offset,
// and re-sent when the device's offset changed (daylight saving, travel).
import * as pushApi from '../src/api/push';
import {
  deviceOffset,
  followDeviceOffset,
  offsetLabel,
  toClock,
  toMinutes,
} from '../src/lib/quietHours';

jest.mock('../src/api/push');
const api = pushApi as jest.Mocked<typeof pushApi>;

describe('quiet hours', () => {
  it('reads and writes times of day', () => {
    expect(toMinutes('22:00')).toBe(1320);
    expect(toMinutes(' 7:05 ')).toBe(425);
    expect(toMinutes('00:00')).toBe(0);
    for (const bad of ['24:00', '12:60', '7', '7pm', '']) expect(toMinutes(bad)).toBeNull();
    expect(toClock(425)).toBe('07:05');
    expect(toClock(1439)).toBe('23:59');
  });

  it('names offsets east positive, as the server takes them', () => {
    expect(deviceOffset(new Date())).toBe(-new Date().getTimezoneOffset() || 0);
    expect(offsetLabel(330)).toBe('UTC+05:30');
    expect(offsetLabel(-180)).toBe('UTC−03:00');
    expect(offsetLabel(0)).toBe('UTC');
  });

  it('sends the device offset again only when it changed', async () => {
    const quiet = { start_minute: 1320, end_minute: 420, utc_offset_minutes: 60 };
    api.getPushPreferences.mockResolvedValue({ hide_previews: true, quiet_hours: quiet });
    api.setPushPreferences.mockImplementation(async (p) => p);
    expect(await followDeviceOffset(60)).toBe(false);
    expect(api.setPushPreferences).not.toHaveBeenCalled();
    expect(await followDeviceOffset(120)).toBe(true);
    expect(api.setPushPreferences).toHaveBeenCalledWith({
      hide_previews: true,
      quiet_hours: { ...quiet, utc_offset_minutes: 120 },
    });
    api.getPushPreferences.mockResolvedValue({ hide_previews: false, quiet_hours: null });
    expect(await followDeviceOffset(0)).toBe(false);
  });
});
