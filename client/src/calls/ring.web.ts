/**
 * The ring while a call rings (web): tones made with Web Audio, so there is no sound file to
 * ship. A browser that has not seen a click on the page yet keeps it silent (autoplay rules);
 * the panel still shows the call.
 */
export function startRing(kind: 'incoming' | 'outgoing'): () => void {
  const Ctx = typeof window !== 'undefined' ? window.AudioContext : undefined;
  if (!Ctx) return () => undefined;
  const ctx = new Ctx();
  void ctx.resume().catch(() => undefined);
  const tone =
    kind === 'incoming' ? { hz: 480, secs: 0.8, every: 2000 } : { hz: 425, secs: 1, every: 4000 };
  const beep = () => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = tone.hz;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + tone.secs);
  };
  beep();
  const timer = setInterval(beep, tone.every);
  return () => {
    clearInterval(timer);
    void ctx.close().catch(() => undefined);
  };
}
