% rebase('layout')
<h1>Log in</h1>
% include('_errors', fields=('email', 'password'), labels={'email': 'E-mail', 'password': 'Password'})
<form id="login-form" method="post" action="/login" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <input type="hidden" name="next" value="{{next}}">
% include('_field', name='email', label='E-mail', type='email', autocomplete='username', required=True)
% include('_field', name='password', label='Password', type='password', autocomplete='current-password', required=True)
  <button type="submit" class="button primary">Log in</button>
</form>
<p><a href="/forgot">Forgotten your password?</a> · <a href="/signup">Create an account</a></p>
