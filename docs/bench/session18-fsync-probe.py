import os,time,ctypes,sys,struct
mode=sys.argv[1]
libc=ctypes.CDLL(None,use_errno=True)
if mode=='slice':
    # struct sched_attr: size u32, policy u32, flags u64, nice i32, prio u32, runtime u64, deadline u64, period u64
    attr=struct.pack('IIQiIQQQ',48,0,0,0,0,int(float(sys.argv[2])*1000),0,0)
    buf=ctypes.create_string_buffer(attr)
    r=libc.syscall(314,0,buf,0)
    print("sched_setattr",r,ctypes.get_errno())
elif mode=='nice':
    os.nice(-10)
fd=os.open('/tmp/fsync-probe.dat',os.O_RDWR|os.O_CREAT)
os.pwrite(fd, b'\0'*(64<<20), 0); os.fsync(fd)
buf=os.urandom(16384)
lat=[];t_end=time.time()+10;off=0
while time.time()<t_end:
    os.pwrite(fd,buf,off); off=(off+16384)%(64<<20)
    s=time.perf_counter(); os.fsync(fd); d=time.perf_counter()-s
    lat.append(d)
lat.sort(); n=len(lat)
print(mode,sys.argv[2:],"n",n,"p50 %.3f p99 %.3f p99.9 %.3f max %.1f ms"%(lat[n//2]*1e3,lat[int(n*.99)]*1e3,lat[int(n*.999)]*1e3,lat[-1]*1e3), ">5ms",sum(1 for x in lat if x>0.005),">10ms",sum(1 for x in lat if x>0.01))
os.unlink('/tmp/fsync-probe.dat')
