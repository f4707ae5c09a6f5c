NAME        
OBJSENSE
  MAX
ROWS
 N  Obj     
 G  r0      
 L  r1      
 L  r2      
 G  r3      
 G  r4      
 G  r5      
 L  r6      
 L  r7      
 L  r8      
 L  r9      
 L  r10     
 L  r11     
 L  r12     
 L  r13     
 L  r14     
 L  r15     
 L  r16     
 L  r17     
 G  r18     
 L  r19     
 L  r20     
 L  r21     
 L  r22     
 L  r23     
 L  r24     
 L  r25     
 L  r26     
 L  r27     
 G  r28     
 G  r29     
COLUMNS
    MARK0000  'MARKER'                 'INTORG'
    c0        Obj       34
    c0        r0        1
    c0        r1        1
    c0        r2        69500
    c0        r4        1
    c0        r5        1
    c0        r7        1
    c0        r13       -1
    c0        r25       1
    c0        r29       8250
    c1        Obj       38
    c1        r0        1
    c1        r1        1
    c1        r2        38000
    c1        r3        1
    c1        r4        1
    c1        r6        1
    c1        r12       -1
    c1        r21       1
    c1        r29       6000
    c2        Obj       4
    c2        r0        1
    c2        r1        1
    c2        r2        45000
    c2        r4        1
    c2        r5        1
    c2        r7        1
    c2        r13       -1
    c2        r20       1
    c2        r29       7625
    c3        Obj       14
    c3        r0        1
    c3        r1        1
    c3        r2        52000
    c3        r3        1
    c3        r4        1
    c3        r6        1
    c3        r12       -1
    c3        r26       1
    c3        r29       6375
    c4        Obj       1
    c4        r0        1
    c4        r1        1
    c4        r2        47000
    c4        r5        1
    c4        r10       1
    c4        r16       -1
    c4        r24       1
    c4        r29       7313
    c5        Obj       10
    c5        r0        1
    c5        r1        1
    c5        r2        43000
    c5        r3        1
    c5        r4        1
    c5        r6        1
    c5        r12       -1
    c5        r25       1
    c5        r29       6917
    c6        Obj       2
    c6        r0        1
    c6        r1        1
    c6        r2        44000
    c6        r4        1
    c6        r5        1
    c6        r9        1
    c6        r15       -1
    c6        r26       1
    c6        r28       1
    c6        r29       6625
    c7        Obj       22
    c7        r0        1
    c7        r1        1
    c7        r2        36000
    c7        r4        1
    c7        r5        1
    c7        r11       1
    c7        r17       -1
    c7        r25       1
    c7        r29       7813
    c8        Obj       26
    c8        r0        1
    c8        r1        1
    c8        r2        49000
    c8        r8        1
    c8        r14       -1
    c8        r21       1
    c8        r29       7250
    c9        Obj       39
    c9        r0        1
    c9        r1        1
    c9        r2        30000
    c9        r3        1
    c9        r4        1
    c9        r6        1
    c9        r12       -1
    c9        r23       1
    c9        r28       1
    c9        r29       5375
    c10       r12       1
    c10       r18       1
    c11       r13       1
    c11       r18       1
    c12       r14       1
    c12       r18       1
    c13       r15       1
    c13       r18       1
    c14       r16       1
    c14       r18       1
    c15       r17       1
    c15       r18       1
    MARK0001  'MARKER'                 'INTEND'
RHS
    RHS_V     r0        5
    RHS_V     r1        5
    RHS_V     r2        236000
    RHS_V     r3        1
    RHS_V     r5        -1
    RHS_V     r6        3
    RHS_V     r7        2
    RHS_V     r8        3
    RHS_V     r9        3
    RHS_V     r10       1
    RHS_V     r11       3
    RHS_V     r13       1
    RHS_V     r16       2
    RHS_V     r18       5
    RHS_V     r19       2
    RHS_V     r20       1
    RHS_V     r21       2
    RHS_V     r22       2
    RHS_V     r23       2
    RHS_V     r24       2
    RHS_V     r25       1
    RHS_V     r26       1
    RHS_V     r27       2
    RHS_V     r28       1
    RHS_V     r29       35729.5
BOUNDS
 BV BOUND     c0      
 BV BOUND     c1      
 BV BOUND     c2      
 BV BOUND     c3      
 BV BOUND     c4      
 BV BOUND     c5      
 BV BOUND     c6      
 BV BOUND     c7      
 BV BOUND     c8      
 BV BOUND     c9      
 BV BOUND     c10     
 BV BOUND     c11     
 BV BOUND     c12     
 BV BOUND     c13     
 BV BOUND     c14     
 BV BOUND     c15     
ENDATA
