import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { ApiError, login, type SessionUser } from '../api';
import { preloadConsoles } from '../consoles';

export function Login({ onSignedIn }: { onSignedIn: (u: SessionUser) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The consoles' code loads and runs while the login page waits for the person to type.
  useEffect(() => {
    const t = setTimeout(preloadConsoles, 300);
    return () => clearTimeout(t);
  }, []);
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    preloadConsoles();
    try {
      const user = await login(v.username, v.password);
      // The live connection starts now, beside the console's first render (the agent console and the
      // wallboard, the landing pages of these roles, take it over).
      if (user.role !== 'unit_handler') void import('../socket').then((m) => m.connectEarly(), () => undefined);
      onSignedIn(user);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'AUTH.UNAUTHENTICATED' ? '用户名或密码错误' : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ minHeight: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(135deg, #0b3d91, #1558b0)' }}>
      <Card style={{ width: 400 }}>
        <Typography.Title level={1} style={{ fontSize: 24, textAlign: 'center', marginBottom: 4 }}>
          12345 政务服务便民热线
        </Typography.Title>
        <Typography.Paragraph style={{ textAlign: 'center', color: '#595959' }}>坐席工作台 · 班长监控 · 工单中心 · 承办单位工作台</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={(v: { username: string; password: string }) => void submit(v)} requiredMark={false}>
          <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            登录
          </Button>
        </Form>
      </Card>
    </main>
  );
}
